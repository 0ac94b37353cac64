"""Every write to tickets. ``ingest`` is the one way in for all channels."""

from dutydesk.tickets.services.actions import (
    ticket_assign,
    ticket_link,
    ticket_merge,
    ticket_reply,
    ticket_take,
    ticket_update,
)
from dutydesk.tickets.services.escalation import ticket_deescalate, ticket_escalate
from dutydesk.tickets.services.ingest import IngestResult, ingest

__all__ = [
    "IngestResult",
    "ingest",
    "ticket_assign",
    "ticket_deescalate",
    "ticket_escalate",
    "ticket_link",
    "ticket_merge",
    "ticket_reply",
    "ticket_take",
    "ticket_update",
]
