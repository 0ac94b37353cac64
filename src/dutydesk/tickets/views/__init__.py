"""Browser views of tickets: the client portal, the agent workspace, attachments."""

from dutydesk.tickets.views.attachments import attachment_download

__all__ = ["attachment_download"]
