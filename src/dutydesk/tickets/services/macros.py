"""Canned replies and macros: render a text with its placeholders, apply a macro (reply plus
field changes) in one transaction, and the organisation's own confirmation text.

Placeholders are substituted explicitly from a fixed list (``macro_models.PLACEHOLDERS``),
never through a template engine, so a macro cannot reach anything else of the ticket; the
values are plain text and the reply is escaped when it becomes HTML.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.macro_models import PLACEHOLDER, Macro
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services.actions import (
    _locked,
    _require_agent,
    ticket_assign,
    ticket_reply,
    ticket_update,
)


def macros_for(*, user: User, search: str = "") -> QuerySet[Macro]:
    """The active macros an agent may use: shared, their teams', their own; ``search``
    matches the title or either text."""
    if not (user.is_active and user.is_agent):
        return Macro.objects.none()
    macros = Macro.objects.filter(is_active=True, confirmation_for__isnull=True).filter(
        Q(owner__isnull=True) | Q(owner=user)
    )
    if not user.sees_all_queues:
        macros = macros.filter(Q(team__isnull=True) | Q(team__in=user.teams.values("pk")))
    if search.strip():
        words = search.strip()
        macros = macros.filter(
            Q(title__icontains=words) | Q(body_en__icontains=words) | Q(body_ru__icontains=words)
        )
    return macros.select_related("team", "set_team", "owner")


def _language(ticket: Ticket) -> str:
    return ticket.requester.language or ticket.organization.language or settings.LANGUAGE_CODE


def _local(moment: datetime | None, ticket: Ticket) -> str:
    """A due time in the client's zone, e.g. "Monday 15 March, 09:30 (Europe/Moscow)"."""
    if moment is None:
        return "—"
    zone_name = ticket.requester.time_zone or ticket.organization.time_zone or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = "UTC", ZoneInfo("UTC")
    return f"{date_format(moment.astimezone(zone), 'l j E, H:i')} ({zone_name})"


def placeholder_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    """What each placeholder stands for on this ticket, in the client's language."""
    from dutydesk.tickets.services.notices import promised_response

    with translation.override(_language(ticket)):
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


@transaction.atomic
def macro_apply(*, ticket: Ticket, macro: Macro, by: User) -> Ticket:
    """Post the macro's reply (or note) and make its changes, all or nothing; return the
    ticket as it is afterwards. The changes go through the usual actions, so each records
    its events, audit and notices."""
    _require_agent(by)
    if not macros_for(user=by).filter(pk=macro.pk).exists():
        raise ActionRefused(_("This macro is not available to you."))
    ticket = _locked(ticket)
    text = macro.body_for(_language(ticket))
    if text.strip():
        ticket_reply(
            ticket=ticket,
            by=by,
            body=macro_render(text, ticket=ticket, agent=by),
            internal=macro.as_note,
        )
    changes: dict = {}
    if macro.set_status:
        changes["status"] = macro.set_status
    if macro.set_priority:
        changes["priority"] = macro.set_priority
    if macro.set_team_id:
        changes["team"] = macro.set_team
    if changes:
        ticket_update(ticket=ticket, by=by, **changes)
    if macro.assign_to_me:
        ticket_assign(ticket=ticket, assignee=by, by=by)
    ticket = _locked(ticket)
    audit_record(
        actor=by,
        action="ticket.macro_applied",
        obj=ticket,
        changes={"macro": (None, macro.title)},
        organization=ticket.organization,
    )
    return ticket


def confirmation_text(ticket: Ticket) -> str | None:
    """The organisation's own confirmation for a new ticket, rendered in the client's
    language with the real due times; None when the organisation has none (the standard
    confirmation applies).

    To be called by ``notices.notify_ticket_created``: when it returns a text, that text is
    the body of the confirmation email.
    """
    macro = (
        Macro.objects.filter(confirmation_for_id=ticket.organization_id, is_active=True)
        .only("body_en", "body_ru")
        .first()
    )
    if macro is None:
        return None
    text = macro.body_for(_language(ticket))
    return macro_render(text, ticket=ticket, agent=None) if text.strip() else None
