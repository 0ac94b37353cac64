"""SLA notices that are not in ``notices.py``: the seed-004 alert that a client has waited
too long, sent when no on-call pager took it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.notify.services import delivery_queue
from dutydesk.tickets.models import Ticket


def _on_duty_recipient(ticket: Ticket) -> User | str | None:
    """The assignee when they can be reached, else the team's queue address."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        return assignee
    return ticket.team.email if ticket.team and ticket.team.email else None


def notify_unanswered(ticket: Ticket, *, due: datetime) -> bool:
    """Tell the assignee (or the team) to contact the client now; False: nobody to tell."""
    to = _on_duty_recipient(ticket)
    if to is None:
        return False
    user = to if isinstance(to, User) else None
    language = (user.language if user else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "sla/email/unanswered.txt",
            {"ticket": ticket, "due": due, "base_url": settings.BASE_URL},
        )
        subject = " ".join(
            [f"[{ticket.reference}]", _("Client waiting, contact them now:"), ticket.subject]
        )
    delivery_queue(
        kind="sla_unanswered",
        recipient=user.email if user else str(to),
        subject=subject,
        body=body,
        ticket=ticket,
        headers={"X-DutyDesk-Ticket": str(ticket.number)},
    )
    return True
