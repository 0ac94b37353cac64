"""Placeholders in macros and confirmation texts, filled from a fixed list per ticket."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import translation

from dutydesk.accounts.models import User
from dutydesk.tickets.macro_models import PLACEHOLDER, Macro
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services.promises import local_time, promised_response


def client_language(ticket: Ticket) -> str:
    return ticket.requester.language or ticket.organization.language or settings.LANGUAGE_CODE


def _local(moment: datetime | None, ticket: Ticket) -> str:
    if moment is None:
        return "—"
    return local_time(moment, ticket.requester.time_zone or ticket.organization.time_zone)


def placeholder_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    """What each placeholder stands for on this ticket, in the client's language."""
    with translation.override(client_language(ticket)):
        return {
            "ticket.number": str(ticket.number),
            "ticket.reference": ticket.reference,
            "ticket.subject": ticket.subject,
            "ticket.priority": str(ticket.get_priority_display()),
            "ticket.status": str(ticket.get_status_display()),
            "requester.name": ticket.requester.display_name,
            "requester.email": ticket.requester.email,
            "agent.name": agent.display_name if agent else "",
            "agent.email": agent.email if agent else "",
            "organization.name": ticket.organization.name,
            "sla.first_response_due": _local(ticket.first_response_due, ticket),
            "sla.resolution_due": _local(ticket.resolution_due, ticket),
            "sla.promise": str(promised_response(ticket)),
        }


def macro_render(text: str, *, ticket: Ticket, agent: User | None) -> str:
    """Substitute the known placeholders; an unknown one stays as written."""
    values = placeholder_values(ticket, agent)
    return PLACEHOLDER.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def confirmation_text(ticket: Ticket) -> str | None:
    """The organisation's own confirmation for a new ticket, rendered in the client's
    language with the real due times; None when the organisation has none (the standard
    confirmation applies).
    """
    macro = (
        Macro.objects.filter(confirmation_for_id=ticket.organization_id, is_active=True)
        .only("body_en", "body_ru")
        .first()
    )
    if macro is None:
        return None
    text = macro.body_for(client_language(ticket))
    return macro_render(text, ticket=ticket, agent=None) if text.strip() else None
