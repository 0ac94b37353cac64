"""Demo on-call data: a schedule and an escalation policy per team (called by the demo seed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from dutydesk.accounts.models import Team, User
from dutydesk.oncall.models import (
    EscalationPolicy,
    EscalationStep,
    LayerParticipant,
    RotationLayer,
    Schedule,
    Target,
)

ZONE = "Europe/Moscow"
EVERY_DAY = list(range(7))


def _as_list(items: Iterable | Mapping) -> list:
    return list(items.values()) if isinstance(items, Mapping) else list(items)


def _layer(schedule: Schedule, level: int, people: list[User], **fields) -> RotationLayer:
    layer = RotationLayer.objects.create(schedule=schedule, level=level, **fields)
    LayerParticipant.objects.bulk_create(
        LayerParticipant(layer=layer, user=u, position=i) for i, u in enumerate(people)
    )
    return layer


@transaction.atomic
def oncall_demo_seed(
    *, teams: Iterable[Team] | Mapping[str, Team], users: Iterable[User] | Mapping[str, User]
) -> dict[str, Schedule]:
    """Per team: with four people or more, day shifts (08–20, weekly) and nights (20–08,
    daily) held by different people; with two or three, whole-day duties in turn; so
    nobody works two nights in a row, or a day straight into a night. A policy that pages
    the team's on-call, then the next tier's, then the supervisors. Re-running changes
    nothing."""
    teams = sorted(_as_list(teams), key=lambda t: (t.tier or "Z", t.pk))
    staff = [u for u in _as_list(users) if u.is_active and u.is_agent]
    zone = ZoneInfo(ZONE)
    monday = timezone.now().astimezone(zone).date()
    monday -= timedelta(days=monday.weekday() + 7)
    handoff = datetime.combine(monday, time(8), tzinfo=zone)
    schedules: dict[str, Schedule] = {}
    for team in teams:
        existing = Schedule.objects.filter(team=team).first()
        if existing is not None:
            schedules[team.slug] = existing
            continue
        members = [u for u in staff if team.members.filter(pk=u.pk).exists()] or staff[:1]
        if not members:
            continue
        schedule = Schedule.objects.create(team=team, name=f"{team.name} on-call", time_zone=ZONE)
        if len(members) == 1:
            _layer(schedule, 0, members, shift_unit="weeks", shift_count=1, handoff_at=handoff)
        elif len(members) < 4:
            # Too few people to keep days and nights apart: whole-day duties from 08:00 in
            # turn, so a night is always followed by time off.
            _layer(
                schedule,
                0,
                members,
                name="Duty",
                shift_unit="days",
                shift_count=1,
                handoff_at=handoff,
            )
        else:
            # Days and nights held by different people: nobody goes from a day straight
            # into a night, and the night people alternate.
            half = len(members) // 2
            _layer(
                schedule,
                0,
                members[:half],
                name="Days",
                shift_unit="weeks",
                shift_count=1,
                handoff_at=handoff,
                restrict_days=EVERY_DAY,
                restrict_start=time(8),
                restrict_end=time(20),
            )
            _layer(
                schedule,
                1,
                members[half:],
                name="Nights",
                shift_unit="days",
                shift_count=1,
                handoff_at=handoff,
                restrict_days=EVERY_DAY,
                restrict_start=time(20),
                restrict_end=time(8),
            )
        schedules[team.slug] = schedule
    for i, team in enumerate(teams):
        if team.slug not in schedules or EscalationPolicy.objects.filter(team=team).exists():
            continue
        policy = EscalationPolicy.objects.create(
            team=team, name=f"{team.name}: on-call, next tier, supervisors", repeat=2
        )
        steps = [{"target": Target.SCHEDULE, "schedule": schedules[team.slug], "wait_minutes": 5}]
        higher = next((t for t in teams[i + 1 :] if t.slug in schedules), None)
        if higher is not None:
            steps.append(
                {"target": Target.SCHEDULE, "schedule": schedules[higher.slug], "wait_minutes": 10}
            )
        steps.append({"target": Target.SUPERVISORS, "wait_minutes": 15})
        for position, step in enumerate(steps):
            EscalationStep.objects.create(policy=policy, position=position, **step)
    return schedules
