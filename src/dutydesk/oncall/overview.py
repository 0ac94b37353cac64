"""Reads behind the on-call workspace pages: who is on call now, my shifts, a page's timeline.

Every function takes the acting user and reads through the scoped selectors; the schedule
expansion is the pure ``rotation`` module, fed with rows fetched in a fixed number of
queries whatever the number of teams and schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch
from django.utils import timezone

from dutydesk.accounts.models import Team, User
from dutydesk.oncall import rotation
from dutydesk.oncall.models import (
    ContactMethod,
    EscalationStep,
    Override,
    Page,
    PageNotification,
    PageStatus,
    Schedule,
)
from dutydesk.oncall.selectors import page_list, schedule_list, schedule_spec

HORIZON = timedelta(days=14)  # how far "until" and "next up" look ahead


def _runs(found: list[rotation.Shift]) -> list[rotation.Shift]:
    """Contiguous shifts of one person joined (a weekly rotation of one is one long run)."""
    out: list[rotation.Shift] = []
    for s in found:
        if out and out[-1].user == s.user and out[-1].end == s.start:
            out[-1] = rotation.Shift(out[-1].start, s.end, s.user, out[-1].source)
        else:
            out.append(s)
    return out


@dataclass
class Slot:
    """Who holds a layer or a schedule now, until when (None: beyond the horizon)."""

    user: User | None = None
    until: datetime | None = None
    source: str = ""
    next_user: User | None = None
    next_at: datetime | None = None


@dataclass
class LayerNow:
    name: str
    level: int
    slot: Slot


@dataclass
class ScheduleNow:
    schedule: Schedule
    final: Slot
    layers: list[LayerNow]


@dataclass
class TeamNow:
    team: Team
    schedules: list[ScheduleNow] = field(default_factory=list)
    open_pages: int = 0
    mine: bool = False  # the viewer is on call for this team now


def _slot(runs: list[rotation.Shift], now: datetime, horizon_end: datetime) -> tuple:
    """(user id, until, source, next user id, next start) read from runs over [now, end)."""
    current = runs[0] if runs and runs[0].start <= now else None
    later = [r for r in runs if current is None or r.start >= current.end]
    upcoming = next((r for r in later if current is None or r.user != current.user), None)
    until = current.end if current and current.end < horizon_end else None
    return (
        current.user if current else None,
        until,
        current.source if current else "",
        upcoming.user if upcoming else None,
        upcoming.start if upcoming else None,
    )


def _schedules_with_overrides(user: User, start: datetime, end: datetime):
    return schedule_list(user=user).prefetch_related(
        Prefetch(
            "overrides",
            queryset=Override.objects.filter(end__gt=start, start__lt=end),
            to_attr="window_overrides",
        )
    )


def on_call_overview(*, user: User, now: datetime | None = None) -> list[TeamNow]:
    """Every team with its schedules: the final on-call and each layer's, until when, and
    who is next; people come with their active contact methods."""
    now = now or timezone.now()
    end = now + HORIZON
    teams = {t.pk: TeamNow(team=t) for t in Team.objects.order_by("name")}
    raw: list[tuple[Schedule, tuple, list[tuple[str, int, tuple]]]] = []
    ids: set[int] = set()
    for schedule in _schedules_with_overrides(user, now, end).order_by("name", "pk"):
        spec = schedule_spec(schedule, overrides=schedule.window_overrides)
        final = _slot(_runs(rotation.shifts(spec, now, end)), now, end)
        layers = []
        for layer in sorted(spec.layers, key=lambda x: -x.level):
            found = _runs(rotation.layer_shifts(layer, now, end, spec.zone))
            layers.append((layer.name, layer.level, _slot(found, now, end)))
        raw.append((schedule, final, layers))
        ids |= {final[0], final[3]} | {v for _n, _l, s in layers for v in (s[0], s[3])}
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in=ids - {None}).prefetch_related(
            Prefetch(
                "contact_methods",
                queryset=ContactMethod.objects.filter(is_active=True).order_by("kind", "pk"),
            )
        )
    }

    def slot(data: tuple) -> Slot:
        who, until, source, next_who, next_at = data
        return Slot(people.get(who), until, source, people.get(next_who), next_at)

    for schedule, final, layers in raw:
        card = teams.get(schedule.team_id)
        if card is None:
            continue
        card.schedules.append(
            ScheduleNow(
                schedule=schedule,
                final=slot(final),
                layers=[LayerNow(name, level, slot(s)) for name, level, s in layers],
            )
        )
        card.mine = card.mine or final[0] == user.pk
    counts = (
        page_list(user=user)
        .filter(status=PageStatus.OPEN)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
    )
    for row in counts:
        if row["team"] in teams:
            teams[row["team"]].open_pages = row["n"]
    # Teams with someone to page first; teams without any schedule at the end.
    return sorted(teams.values(), key=lambda t: (not t.mine, not t.schedules, t.team.name))


@dataclass
class MyShift:
    schedule: Schedule
    start: datetime
    end: datetime
    source: str
    now: bool  # under way


def my_shifts(*, user: User, days: int = 30, now: datetime | None = None) -> list[MyShift]:
    """The user's final shifts in every schedule from now to ``days`` ahead, by start."""
    now = now or timezone.now()
    start, end = now - timedelta(days=3), now + timedelta(days=days)
    out = []
    for schedule in _schedules_with_overrides(user, start, end):
        spec = schedule_spec(schedule, overrides=schedule.window_overrides)
        for s in _runs(rotation.shifts(spec, start, end)):
            if s.user == user.pk and s.end > now:
                out.append(MyShift(schedule, s.start, s.end, s.source, s.start <= now))
    return sorted(out, key=lambda m: (m.start, m.schedule.name))


# --- a page's escalation timeline -----------------------------------------------------


@dataclass
class Round:
    """One step as it ran: when, which step of which round, to whom and how."""

    at: datetime
    step_index: int
    repeat: int
    fallback: bool
    step: EscalationStep | None
    notifications: list[PageNotification]


def page_steps(page: Page) -> list[EscalationStep]:
    if page.policy is None:
        return []
    return list(
        page.policy.steps.select_related("schedule", "user", "team").order_by("position", "pk")
    )


def page_rounds(page: Page, steps: list[EscalationStep]) -> list[Round]:
    """The notifications of a page grouped by the step run that sent them, oldest first."""
    notes = (
        PageNotification.objects.filter(page=page)
        .select_related("user", "delivery")
        .order_by("created_at", "pk")
    )
    rounds: list[Round] = []
    for note in notes:
        key = (note.created_at, note.step_index, note.repeat, note.fallback)
        last = rounds[-1] if rounds else None
        if last is None or (last.at, last.step_index, last.repeat, last.fallback) != key:
            step = steps[note.step_index] if note.step_index < len(steps) else None
            last = Round(note.created_at, note.step_index, note.repeat, note.fallback, step, [])
            rounds.append(last)
        last.notifications.append(note)
    return rounds


def next_step(page: Page, steps: list[EscalationStep]) -> EscalationStep | None:
    """The step the chain runs at ``next_step_at`` (None past the last round or without one)."""
    if page.status != PageStatus.OPEN or page.next_step_at is None or not steps:
        return None
    return steps[min(page.step_index, len(steps) - 1)]
