"""Automatic assignment of new tickets within their team, and the "solved at the first
tier" mark recorded for the metrics (seed 003).

Who may be picked is the team's active staff; the on-call app can narrow that to the
people on shift by registering a filter::

    from dutydesk.tickets.services.assignment import availability_register
    availability_register(lambda *, team, candidates: candidates.filter(...))
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet

from dutydesk.accounts.models import STAFF_ROLES, Team, User
from dutydesk.tickets.models import (
    ACTIVE_STATUSES,
    AutoAssignMode,
    EventKind,
    TeamAutoAssign,
    Ticket,
)
from dutydesk.tickets.services.events import event_record

TIERS = ["L1", "L2", "L3"]

Availability = Callable[..., QuerySet[User]]  # (*, team, candidates) -> candidates
_availability: list[Availability] = []


def availability_register(func: Availability) -> None:
    """Narrow the members auto-assignment may pick (e.g. to those on shift)."""
    _availability[:] = [func]


def availability_unregister() -> None:
    _availability.clear()


def _candidates(team: Team) -> QuerySet[User]:
    members = team.members.filter(is_active=True, role__in=STAFF_ROLES)
    for narrow in _availability:
        members = narrow(team=team, candidates=members)
    return members


def auto_assign_pick(team: Team | None) -> tuple[User | None, str]:
    """The member a new ticket of ``team`` goes to, and the mode that chose them; call it
    inside the transaction that creates the ticket (round-robin locks the team's row)."""
    if team is None:
        return None, AutoAssignMode.OFF
    setting = (
        TeamAutoAssign.objects.select_for_update().filter(team=team).exclude(mode="off").first()
    )
    if setting is None:
        return None, AutoAssignMode.OFF
    candidates = _candidates(team)
    if setting.mode == AutoAssignMode.LEAST_LOADED:
        picked = (
            candidates.annotate(
                load=Count(
                    "assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES)
                )
            )
            .order_by("load", "pk")
            .first()
        )
    else:
        ordered = candidates.order_by("pk")
        after = setting.last_assignee_id or 0
        picked = ordered.filter(pk__gt=after).first() or ordered.first()
        if picked is not None:
            setting.last_assignee = picked
            setting.save(update_fields=["last_assignee"])
    return picked, setting.mode


def auto_assign(ticket: Ticket) -> User | None:
    """Give a just-created ticket to a member of its team, per the team's setting; records
    the event. The caller saves the ticket."""
    assignee, mode = auto_assign_pick(ticket.team)
    if assignee is None:
        return None
    ticket.assignee = assignee
    event_record(ticket, actor=None, kind=EventKind.ASSIGNEE, old="", new=assignee.email, auto=mode)
    return assignee


def _rank(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else 0


def solved_at_first_tier(ticket: Ticket) -> bool:
    """Whether the ticket never moved up a tier: no escalation and no tier change upward
    (by hand or by the SLA's breach action)."""
    if ticket.pk is None:
        return True
    if ticket.events.filter(kind=EventKind.ESCALATED).exists():
        return False
    moves = ticket.events.filter(kind=EventKind.TIER).values_list("old_value", "new_value")
    return not any(_rank(new) > _rank(old) for old, new in moves)
