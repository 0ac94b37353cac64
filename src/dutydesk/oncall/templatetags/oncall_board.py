"""Template helpers of the on-call pages: page reasons in words, and the link from a
ticket's header to its live page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from dutydesk.oncall.models import Page, PageStatus
from dutydesk.oncall.paging import Reason

register = template.Library()

REASONS = {
    Reason.URGENT: _("Urgent incident"),
    Reason.SLA_BREACH: _("SLA breach"),
    Reason.UNANSWERED: _("Client waiting"),
    Reason.ALERT: _("Monitoring alert"),
    Reason.MANUAL: _("Paged by hand"),
}


@register.filter
def page_reason(reason: str) -> str:
    """The reason a page was opened, in words; an unknown reason as it was given."""
    return str(REASONS.get(reason, reason))


@register.inclusion_tag("oncall/board/_ticket_page_link.html", takes_context=True)
def ticket_page_link(context: template.Context, ticket) -> dict:
    """A badge linking a ticket to its open or acknowledged page (one query)."""
    user = context.get("user")
    page = None
    if user is not None and getattr(user, "is_agent", False):
        page = (
            Page.objects.filter(ticket=ticket)
            .exclude(status=PageStatus.RESOLVED)
            .order_by("-created_at")
            .first()
        )
    return {"page": page}
