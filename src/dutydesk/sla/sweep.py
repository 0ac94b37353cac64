"""The SLA sweep: warn and breach the clocks whose next level has come, by the
``sla_next_check_at`` index, so its cost follows the due tickets, not the open ones.

Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of
workers can sweep at once; each mark is unique per ticket, target, level and due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dutydesk.accounts.models import Team, Tier
from dutydesk.core.services import audit_record
from dutydesk.sla.models import BreachAction, SlaLevel, SlaMark, SlaTarget
from dutydesk.sla.paging import UNANSWERED, page
from dutydesk.sla.services import (
    SLA_FIELDS,
    RunningClock,
    _schedule_next_check,
    sla_on_priority,
    sla_running_clocks,
)
from dutydesk.tickets.models import EventKind, Priority, Ticket
from dutydesk.tickets.services.events import event_record
from dutydesk.tickets.services.notices import notify_sla_breach, notify_sla_warning
from dutydesk.tickets.services.sla_notices import notify_unanswered

logger = logging.getLogger(__name__)

# A row the sweep cannot process waits this long before it is tried again.
RETRY_BROKEN_AFTER = timedelta(hours=1)
RAISED_PRIORITY = {Priority.P4: Priority.P3, Priority.P3: Priority.P2, Priority.P2: Priority.P1}
NEXT_TIER = {Tier.L1: Tier.L2, Tier.L2: Tier.L3}
CHECK_FIELDS = ["sla_next_check_at"]


def sla_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Mark the warnings and breaches that have come on up to ``limit`` tickets; return how
    many marks were made."""
    now = now or timezone.now()
    made = 0
    memo: dict = {}  # targets and calendars, shared by the tickets of this run
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sla_next_check_at__lte=now)
            .select_related("organization", "requester", "sla_policy__calendar", "team", "assignee")
            .order_by("sla_next_check_at", "pk")[:limit]
        )
        for ticket in tickets:
            try:
                with transaction.atomic():
                    made += _sweep_ticket(ticket, now, memo)
            except Exception:
                logger.exception("SLA sweep skipped ticket %s", ticket.pk)
                Ticket.objects.filter(pk=ticket.pk).update(
                    sla_next_check_at=now + RETRY_BROKEN_AFTER
                )
    return made


def _sweep_ticket(ticket: Ticket, now: datetime, memo: dict) -> int:
    made = 0
    fields = set(CHECK_FIELDS)
    for running in sla_running_clocks(ticket, memo=memo):
        reached = [level for level, at in running.points.items() if at <= now]
        if not reached:
            continue
        created = [level for level in reached if _mark(ticket, running, level)]
        made += len(created)
        # Only the furthest level speaks: a sweep that comes late does not send three notices.
        if created and created[-1] == reached[-1]:
            fields |= _announce(ticket, running, reached[-1])
    _schedule_next_check(ticket, memo=memo)
    ticket.save(update_fields=sorted(fields))
    return made


def _mark(ticket: Ticket, running: RunningClock, level: str) -> bool:
    _mark_row, created = SlaMark.objects.get_or_create(
        ticket=ticket, target=running.target, level=level, due=running.due
    )
    return created


def _announce(ticket: Ticket, running: RunningClock, level: str) -> set[str]:
    """Record the event and send the notice of one level; a breach runs the policy's action.

    Returns the ticket fields the action changed.
    """
    if running.target == SlaTarget.UNANSWERED:
        return _alert_unanswered(ticket, running.due)
    if level != SlaLevel.BREACH:
        event_record(
            ticket,
            actor=None,
            kind=EventKind.SLA_WARNING,
            new=running.target,
            level=level,
            due=running.due.isoformat(),
        )
        notify_sla_warning(ticket, running.target, level, due=running.due)
        return set()
    event_record(
        ticket,
        actor=None,
        kind=EventKind.SLA_BREACH,
        new=running.target,
        due=running.due.isoformat(),
    )
    assert ticket.sla_policy is not None
    action = ticket.sla_policy.breach_action
    changed: set[str] = set()
    # The action runs once per clock: after a raise the new due has usually passed too,
    # and acting again would walk a ticket up to P1 (or L3) a minute at a time.
    acted_before = (
        SlaMark.objects.filter(ticket=ticket, target=running.target, level=SlaLevel.BREACH)
        .exclude(due=running.due)
        .exists()
    )
    if not acted_before and action == BreachAction.RAISE_PRIORITY:
        changed = _raise_priority(ticket)
    elif not acted_before and action == BreachAction.ESCALATE:
        changed = _escalate(ticket)
    notify_sla_breach(ticket, running.target, due=running.due)
    if not acted_before and action == BreachAction.PAGE:
        # Without an on-call pager the breach notice just sent is all there is.
        page(ticket=ticket, reason=running.target, due=running.due, fallback=lambda: None)
    return changed


def _alert_unanswered(ticket: Ticket, due: datetime) -> set[str]:
    """Seed 004: a client message waited past the limit; the person on duty contacts them."""
    paged = page(
        ticket=ticket,
        reason=UNANSWERED,
        due=due,
        fallback=lambda: notify_unanswered(ticket, due=due),
    )
    event_record(
        ticket,
        actor=None,
        kind=EventKind.SLA_UNANSWERED,
        new=ticket.assignee.email if ticket.assignee else "",
        due=due.isoformat(),
        paged=paged,
    )
    return set()


def _raise_priority(ticket: Ticket) -> set[str]:
    raised = RAISED_PRIORITY.get(ticket.priority)
    if raised is None:
        return set()
    old = ticket.priority
    event_record(ticket, actor=None, kind=EventKind.PRIORITY, old=old, new=raised, sla=True)
    ticket.priority = raised
    sla_on_priority(ticket)
    audit_record(
        actor=None,
        action="ticket.sla_priority_raised",
        obj=ticket,
        changes={"priority": (old, raised)},
        organization=ticket.organization,
    )
    return {"priority", "updated_at", *SLA_FIELDS}


def _escalate(ticket: Ticket) -> set[str]:
    tier = ticket.tier or (ticket.team.tier if ticket.team else "")
    next_tier = NEXT_TIER.get(tier)
    team = Team.objects.filter(tier=next_tier).order_by("pk").first() if next_tier else None
    if team is None:
        return set()  # nowhere to go: the breach notice is all there is
    old_team, old_tier = ticket.team, ticket.tier
    event_record(ticket, actor=None, kind=EventKind.TEAM, old=old_team, new=team, sla=True)
    event_record(ticket, actor=None, kind=EventKind.TIER, old=old_tier, new=team.tier, sla=True)
    ticket.team, ticket.tier = team, team.tier
    audit_record(
        actor=None,
        action="ticket.sla_escalated",
        obj=ticket,
        changes={"team": (old_team, team), "tier": (old_tier, team.tier)},
        organization=ticket.organization,
    )
    return {"team", "tier", "updated_at"}
