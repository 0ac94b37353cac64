"""Canned replies and macros: render a text with its placeholders, apply a macro (reply plus
field changes) in one transaction, and the organisation's own confirmation text.

Placeholders are substituted explicitly from a fixed list (``macro_models.PLACEHOLDERS``),
never through a template engine, so a macro cannot reach anything else of the ticket; the
values are plain text and the reply is escaped when it becomes HTML.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.macro_models import Macro
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services.actions import (
    _locked,
    _require_agent,
    ticket_assign,
    ticket_reply,
    ticket_update,
)
from dutydesk.tickets.services.placeholders import client_language, macro_render


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


@transaction.atomic
def macro_apply(*, ticket: Ticket, macro: Macro, by: User) -> Ticket:
    """Post the macro's reply (or note) and make its changes, all or nothing; return the
    ticket as it is afterwards. The changes go through the usual actions, so each records
    its events, audit and notices."""
    _require_agent(by)
    if not macros_for(user=by).filter(pk=macro.pk).exists():
        raise ActionRefused(_("This macro is not available to you."))
    ticket = _locked(ticket)
    text = macro.body_for(client_language(ticket))
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
