"""Writes of the SLA app: calendars saved whole, and the clocks kept on tickets.

The ticket clock functions change a ticket in memory; the caller saves it inside the
transaction that made the change. A due is always derived from the ticket's own state
(created_at, priority, policy, the paused time collected), so recomputing never drifts.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, ParamSpec

from django.db import transaction

from dutydesk.accounts.models import Organization
from dutydesk.core.services import audit_record
from dutydesk.sla import clock
from dutydesk.sla.calendars import calendar_validate, clock_calendar_cached
from dutydesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Policy,
    PolicyTarget,
    SlaLevel,
    SlaMark,
    SlaTarget,
    WorkingInterval,
)
from dutydesk.sla.selectors import (  # noqa: F401  (re-exported: the API's reads)
    WAITING_STATUSES,
    TicketSla,
    ticket_breached,
    ticket_sla,
    with_breached,
)
from dutydesk.tickets.models import DONE_STATUSES, Direction, EventKind, Status, Ticket

# The resolution clock stands still in these (see WAITING_STATUSES, and when solved).
STOPPED_STATUSES = (*WAITING_STATUSES, *DONE_STATUSES)
logger = logging.getLogger(__name__)
P = ParamSpec("P")

SLA_FIELDS = [
    "sla_policy",
    "first_response_due",
    "next_response_due",
    "resolution_due",
    "resolution_paused_at",
    "resolution_paused",
    "sla_next_check_at",
    "unanswered_due",
]


@transaction.atomic
def calendar_save(
    *,
    calendar: BusinessCalendar,
    intervals: Sequence[WorkingInterval],
    days: Sequence[CalendarDay],
    by: Any,
) -> BusinessCalendar:
    """Validate, then save the calendar and replace its intervals and days; audited.

    Raises ValidationError and changes nothing when the calendar cannot measure time.
    """
    calendar.full_clean()
    for row in [*intervals, *days]:
        row.full_clean(exclude=["calendar"], validate_constraints=False)
    calendar_validate(calendar=calendar, intervals=intervals, days=days)
    created = calendar.pk is None
    calendar.save()
    calendar.intervals.all().delete()
    calendar.days.all().delete()
    for row in [*intervals, *days]:
        row.pk = None
        row.calendar = calendar
    WorkingInterval.objects.bulk_create(intervals)
    CalendarDay.objects.bulk_create(days)
    if not created:
        from dutydesk.sla.recompute import policies_of_calendar, sla_recompute_later

        sla_recompute_later(policy_ids=policies_of_calendar(calendar.pk))
    audit_record(
        actor=by,
        action=f"businesscalendar.{'created' if created else 'changed'}",
        obj=calendar,
        changes={"intervals": (None, len(intervals)), "days": (None, len(days))},
    )
    return calendar


# --- ticket clocks --------------------------------------------------------------------


def _never_fails(func: Callable[P, None]) -> Callable[P, None]:
    """A calendar that cannot measure (saved before the checks, or run out of working days)
    must not stop a ticket being written: the clock is logged and left as it was."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            func(*args, **kwargs)
        except clock.CalendarError:
            logger.exception("SLA clock not updated by %s", func.__name__)

    return wrapper


def policy_for(organization: Organization) -> Policy | None:
    """The organisation's own policy, else the default one; None when neither exists."""
    if organization.sla_policy_id is not None:
        if not Organization.sla_policy.is_cached(organization):
            # With its calendar: the clocks need both, one query instead of two.
            found = (
                Policy.objects.select_related("calendar")
                .filter(pk=organization.sla_policy_id)
                .first()
            )
            if found is not None:
                organization.sla_policy = found
        return organization.sla_policy
    return Policy.objects.select_related("calendar").filter(is_default=True).first()


@_never_fails
def sla_start(ticket: Ticket) -> None:
    """Start the clocks of a ticket just created: pick the policy and set the first dues."""
    ticket.sla_policy = policy_for(ticket.organization)
    memo: dict = {}  # one target and calendar lookup for both steps
    _recompute(ticket, first_response=True, memo=memo)
    _unanswered_start(ticket, ticket.created_at, memo=memo)
    # A ticket created in this transaction has no marks yet: nothing to look up.
    _schedule_next_check(ticket, memo=memo, unmarked=True)


@_never_fails
def sla_on_agent_reply(ticket: Ticket, at: datetime) -> None:
    """A public agent reply answers the client: the next-response clock stops.

    The first response is met by ``first_response_at``; its due stays for reporting.
    """
    ticket.next_response_due = None
    ticket.unanswered_due = None
    _schedule_next_check(ticket)


@_never_fails
def sla_on_client_message(ticket: Ticket, at: datetime) -> None:
    """A client wrote: the next response is due, unless an earlier message still waits; and
    the message may wait no longer than the policy's limit (seed 004)."""
    before = ticket.unanswered_due
    _unanswered_start(ticket, at)
    if _next_response_start(ticket, at):
        _schedule_next_check(ticket, next_response_since=at)
    elif ticket.unanswered_due != before:
        _schedule_next_check(ticket)


def _unanswered_start(ticket: Ticket, at: datetime, memo: dict | None = None) -> None:
    """Start the wait limit of a client message that arrived at ``at``.

    An earlier message still waiting keeps its earlier due. Once that due has been alerted
    (its mark exists), a newer message starts a wait of its own, so each unanswered message
    alerts once; an overdue one not yet alerted covers the newer message too.
    """
    policy = ticket.sla_policy if ticket.sla_policy_id else None
    if policy is None or ticket.status in DONE_STATUSES:
        ticket.unanswered_due = None
        return
    due = ticket.unanswered_due
    if due is not None and (
        due > at
        or ticket.pk is None
        or not SlaMark.objects.filter(
            ticket=ticket, target=SlaTarget.UNANSWERED, level=SlaLevel.BREACH, due=due
        ).exists()
    ):
        return
    ticket.unanswered_due = clock.add_business_time(
        _calendar(ticket, at, memo), at, timedelta(minutes=policy.unanswered_minutes)
    )


def _next_response_start(ticket: Ticket, at: datetime) -> bool:
    """Start next response at ``at``; False when it was not started: before the first
    response that clock governs, and an earlier message may already be waiting."""
    if ticket.first_response_at is None or ticket.next_response_due is not None:
        return False
    target = _target(ticket)
    if target is not None:
        ticket.next_response_due = clock.add_business_time(
            _calendar(ticket, at), at, timedelta(minutes=target.next_response_minutes)
        )
    return True


@_never_fails
def sla_on_status(ticket: Ticket, old: str, new: str, at: datetime) -> None:
    """Stop the resolution clock on entering pending, on hold, resolved or closed; restart it
    on leaving them, its due moved back by the business time it stood still.

    Waiting for the client clears the resolution due; resolving keeps it, met or not.
    """
    if old == new or ticket.sla_policy_id is None:
        return
    if old in DONE_STATUSES and new in DONE_STATUSES:
        return  # closing a resolved ticket: the clock stopped at resolving, the due stays
    if ticket.resolution_paused_at is not None:
        calendar = _calendar(ticket, at)
        ticket.resolution_paused += clock.business_time(calendar, ticket.resolution_paused_at, at)
        ticket.resolution_paused_at = None
    if new in STOPPED_STATUSES:
        ticket.resolution_paused_at = at
    if new in DONE_STATUSES:
        ticket.next_response_due = None  # nobody owes a reply on a solved ticket
        ticket.unanswered_due = None
    memo: dict = {}
    _recompute(ticket, first_response=False, status=new, memo=memo)
    _schedule_next_check(ticket, status=new, memo=memo)


@_never_fails
def sla_on_priority(ticket: Ticket) -> None:
    """Recompute every due from the start with the new priority's targets, keeping the paused
    time already collected."""
    _recompute(ticket, first_response=ticket.first_response_at is None)
    ticket.next_response_due = None
    waiting_since = _unanswered_since(ticket)
    if waiting_since is not None and ticket.status not in DONE_STATUSES:
        _next_response_start(ticket, waiting_since)
    _schedule_next_check(ticket, next_response_since=waiting_since)


@_never_fails
def sla_replay(ticket: Ticket) -> None:
    """Recompute the clocks from the ticket's timeline, as if each change happened at its
    recorded time: for rows written out of time order (the demo re-dates its history)."""
    events = list(
        ticket.events.order_by("created_at", "pk").values_list(
            "kind", "old_value", "new_value", "created_at"
        )
    )
    status, priority, answered = ticket.status, ticket.priority, ticket.first_response_at
    priority_changes = [old for kind, old, _new, _at in events if kind == EventKind.PRIORITY]
    ticket.priority = priority_changes[0] if priority_changes else priority
    ticket.status = Status.NEW
    ticket.first_response_at = None
    ticket.next_response_due = ticket.resolution_paused_at = ticket.unanswered_due = None
    ticket.resolution_paused = timedelta(0)
    try:
        if ticket.sla_policy is None:
            ticket.sla_policy = policy_for(ticket.organization)
        _recompute(ticket, first_response=True)
        _unanswered_start(ticket, ticket.created_at)
        for kind, old, new, at in events:
            if kind == EventKind.REPLY:
                ticket.first_response_at = ticket.first_response_at or at
                sla_on_agent_reply(ticket, at)
            elif kind == EventKind.MESSAGE:
                sla_on_client_message(ticket, at)
            elif kind == EventKind.STATUS:
                sla_on_status(ticket, old, new, at)
                ticket.status = new
            elif kind == EventKind.PRIORITY:
                ticket.priority = new
                _recompute(ticket, first_response=ticket.first_response_at is None)
    finally:
        ticket.status, ticket.priority = status, priority
        ticket.first_response_at = ticket.first_response_at or answered
    _schedule_next_check(ticket)


def _recompute(
    ticket: Ticket, *, first_response: bool, status: str | None = None, memo: dict | None = None
) -> None:
    """Derive the dues from the ticket's state; ``status`` is the one it is about to enter."""
    target = _target(ticket, memo)
    if target is None:  # no policy, or one without targets for this priority
        ticket.first_response_due = ticket.next_response_due = ticket.resolution_due = None
        return
    calendar = _calendar(ticket, ticket.created_at, memo)
    if first_response:
        ticket.first_response_due = clock.add_business_time(
            calendar, ticket.created_at, timedelta(minutes=target.first_response_minutes)
        )
    if (status or ticket.status) in WAITING_STATUSES:
        ticket.resolution_due = None
    else:
        wanted = timedelta(minutes=target.resolution_minutes) + ticket.resolution_paused
        ticket.resolution_due = clock.add_business_time(calendar, ticket.created_at, wanted)


def _target(ticket: Ticket, memo: dict | None = None) -> PolicyTarget | None:
    if ticket.sla_policy_id is None:
        return None
    memo = {} if memo is None else memo
    key = ("target", ticket.sla_policy_id, ticket.priority)
    if key not in memo:
        memo[key] = PolicyTarget.objects.filter(
            policy_id=ticket.sla_policy_id, priority=ticket.priority
        ).first()
    return memo[key]


def _calendar(ticket: Ticket, at: datetime, memo: dict | None = None) -> clock.Calendar:
    # Holidays of the years a due can fall in: from the year before the ticket to years ahead.
    assert ticket.sla_policy is not None
    memo = {} if memo is None else memo
    first, last = sorted([ticket.created_at.year, at.year])
    key = ("calendar", ticket.sla_policy.calendar_id, first, last)
    if key not in memo:
        years = range(first - 1, last + 3)
        memo[key] = clock_calendar_cached(ticket.sla_policy.calendar, years=years)
    return memo[key]


def _unanswered_since(ticket: Ticket) -> datetime | None:
    """When the oldest client message that no public agent reply followed came in."""
    if ticket.pk is None or ticket.first_response_at is None:
        return None
    last_reply = (
        ticket.messages.filter(direction=Direction.OUTBOUND)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    waiting = ticket.messages.filter(direction=Direction.INBOUND)
    if last_reply is not None:
        waiting = waiting.filter(created_at__gt=last_reply)
    elif ticket.first_response_at is not None:
        waiting = waiting.filter(created_at__gt=ticket.first_response_at)
    return waiting.order_by("created_at").values_list("created_at", flat=True).first()


# --- warnings and breaches ------------------------------------------------------------


class RunningClock(NamedTuple):
    """A clock that still runs: its due and the instant each level is reached."""

    target: str
    due: datetime
    points: dict[str, datetime]  # level -> instant, in the order warn_first, warn_second, breach


def sla_running_clocks(
    ticket: Ticket,
    *,
    status: str | None = None,
    next_response_since: datetime | None = None,
    memo: dict | None = None,
) -> list[RunningClock]:
    """The clocks of the ticket that run now, with their warning and breach instants.

    A warning point is a share of the target in business time from the clock's start; the
    resolution clock's points move back by the paused time, as its due does. ``memo`` keeps
    targets and calendars across the tickets of one sweep.
    """
    status = status or ticket.status
    policy = ticket.sla_policy if ticket.sla_policy_id else None
    memo = {} if memo is None else memo
    if policy is None or status in DONE_STATUSES:
        return []
    target = _target(ticket, memo)
    # The wait limit has no warnings: its due is the alert.
    waiting = (
        [
            RunningClock(
                SlaTarget.UNANSWERED,
                ticket.unanswered_due,
                {SlaLevel.BREACH: ticket.unanswered_due},
            )
        ]
        if ticket.unanswered_due is not None
        else []
    )
    if target is None:
        return waiting
    starts: list[tuple[str, datetime, datetime | None, int, timedelta]] = []
    if ticket.first_response_at is None and ticket.first_response_due is not None:
        starts.append(
            (
                SlaTarget.FIRST_RESPONSE,
                ticket.first_response_due,
                ticket.created_at,
                target.first_response_minutes,
                timedelta(0),
            )
        )
    if ticket.next_response_due is not None:
        since = next_response_since or _unanswered_since(ticket)
        starts.append(
            (
                SlaTarget.NEXT_RESPONSE,
                ticket.next_response_due,
                since,
                target.next_response_minutes,
                timedelta(0),
            )
        )
    if ticket.resolution_due is not None and status not in STOPPED_STATUSES:
        starts.append(
            (
                SlaTarget.RESOLUTION,
                ticket.resolution_due,
                ticket.created_at,
                target.resolution_minutes,
                ticket.resolution_paused,
            )
        )
    clocks = []
    for name, due, start, minutes, paused in starts:
        points: dict[str, datetime] = {}
        if start is not None:  # without a known start only the due itself is checked
            calendar = _calendar(ticket, due, memo)
            for level, share in (
                (SlaLevel.WARN_FIRST, policy.warn_first),
                (SlaLevel.WARN_SECOND, policy.warn_second),
            ):
                wanted = timedelta(minutes=minutes) * share / 100 + paused
                points[level] = min(clock.add_business_time(calendar, start, wanted), due)
        points[SlaLevel.BREACH] = due
        clocks.append(RunningClock(name, due, points))
    return clocks + waiting


def _schedule_next_check(
    ticket: Ticket,
    *,
    status: str | None = None,
    next_response_since: datetime | None = None,
    memo: dict | None = None,
    unmarked: bool = False,
) -> None:
    """Set ``sla_next_check_at`` to the earliest level a running clock has yet to be marked
    at; None when no clock runs or every level is marked (``unmarked``: known to have no
    marks)."""
    clocks = sla_running_clocks(
        ticket, status=status, next_response_since=next_response_since, memo=memo
    )
    marked: set[tuple[str, str, datetime]] = set()
    if clocks and ticket.pk is not None and not unmarked:
        marked = set(
            SlaMark.objects.filter(
                ticket=ticket, due__in=[running.due for running in clocks]
            ).values_list("target", "level", "due")
        )
    pending = [
        at
        for running in clocks
        for level, at in running.points.items()
        if (running.target, level, running.due) not in marked
    ]
    ticket.sla_next_check_at = min(pending, default=None)
