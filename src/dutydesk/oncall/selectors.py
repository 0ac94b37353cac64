"""Reads of on-call data, scoped to the acting user, and the bridge from models to the
pure ``rotation`` functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import STAFF_ROLES, User
from dutydesk.oncall import rotation
from dutydesk.oncall.models import (
    EscalationPolicy,
    LayerParticipant,
    Override,
    Page,
    PageNotification,
    RotationLayer,
    Schedule,
    ShiftReport,
)
from dutydesk.tickets.selectors import ticket_queryset

# --- access -----------------------------------------------------------------------------


def schedule_list(*, user: User) -> QuerySet[Schedule]:
    """Schedules are internal: every member of staff reads them, customers none."""
    if not (user.is_active and user.is_agent):
        return Schedule.objects.none()
    return Schedule.objects.select_related("team").prefetch_related(
        Prefetch(
            "layers",
            queryset=RotationLayer.objects.prefetch_related(
                Prefetch("members", queryset=LayerParticipant.objects.select_related("user"))
            ),
        )
    )


def shift_report_list(*, user: User) -> QuerySet[ShiftReport]:
    """Briefings and handover reports of the schedules the user may read."""
    return ShiftReport.objects.filter(schedule__in=schedule_list(user=user)).select_related(
        "schedule__team", "user", "next_user"
    )


def schedule_get(*, user: User, pk: int) -> Schedule:
    return get_object_or_404(schedule_list(user=user), pk=pk)


def override_get(*, user: User, schedule_pk: int, pk: int) -> Override:
    """An override of a schedule the user may see, or 404."""
    return get_object_or_404(Override, schedule=schedule_get(user=user, pk=schedule_pk), pk=pk)


def policy_list(*, user: User) -> QuerySet[EscalationPolicy]:
    if not (user.is_active and user.is_agent):
        return EscalationPolicy.objects.none()
    return EscalationPolicy.objects.select_related("team").prefetch_related("steps")


def page_list(*, user: User) -> QuerySet[Page]:
    """Staff see the pages of tickets they may see, and the pages they were notified of
    (an L2 engineer paged for an L1 ticket must be able to open it); customers none."""
    if not (user.is_active and user.is_agent):
        return Page.objects.none()
    pages = Page.objects.select_related("ticket", "team", "acknowledged_by", "resolved_by")
    if user.sees_all_queues:
        return pages
    notified = PageNotification.objects.filter(user=user).values("page_id")
    return pages.filter(Q(ticket__in=ticket_queryset(user=user)) | Q(pk__in=notified))


def page_get(*, user: User, pk: int) -> Page:
    return get_object_or_404(page_list(user=user), pk=pk)


def can_edit_schedules(user: User) -> bool:
    return user.is_active and user.sees_all_queues


# --- expansion --------------------------------------------------------------------------


def schedule_spec(
    schedule: Schedule,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    overrides: Iterable[Override] | None = None,
) -> rotation.ScheduleSpec:
    """The schedule as plain data; overrides limited to [start, end) when given.

    ``overrides`` (already fetched, e.g. prefetched for many schedules) saves the query."""
    layers = []
    for layer in schedule.layers.all():
        members = sorted(layer.members.all(), key=lambda m: (m.position, m.pk))
        restriction = None
        if layer.restrict_days and layer.restrict_start is not None:
            restriction = rotation.Restriction(
                frozenset(int(d) for d in layer.restrict_days),
                layer.restrict_start,
                layer.restrict_end if layer.restrict_end is not None else layer.restrict_start,
            )
        layers.append(
            rotation.Layer(
                level=layer.level,
                participants=tuple(m.user_id for m in members),
                unit=layer.shift_unit,
                count=layer.shift_count,
                handoff=layer.handoff_at,
                restriction=restriction,
                name=layer.name,
            )
        )
    if overrides is None:
        found = Override.objects.filter(schedule=schedule)
        if start is not None:
            found = found.filter(end__gt=start)
        if end is not None:
            found = found.filter(start__lt=end)
        overrides = found.order_by("created_at", "pk")
    else:
        overrides = sorted(overrides, key=lambda o: (o.created_at, o.pk))
    return rotation.ScheduleSpec(
        zone=ZoneInfo(schedule.time_zone),
        layers=tuple(layers),
        overrides=tuple(rotation.Override(o.user_id, o.start, o.end) for o in overrides),
    )


def schedule_specs(
    schedules: list[Schedule], *, start: datetime, end: datetime
) -> dict[int, rotation.ScheduleSpec]:
    """Specs of many schedules (layers prefetched) with their overrides in one query."""
    by_schedule: dict[int, list[Override]] = {s.pk: [] for s in schedules}
    for o in Override.objects.filter(schedule__in=schedules, end__gt=start, start__lt=end).order_by(
        "created_at", "pk"
    ):
        by_schedule[o.schedule_id].append(o)
    return {
        s.pk: schedule_spec(s, start=start, end=end, overrides=by_schedule[s.pk]) for s in schedules
    }


def people_names(ids: set[int]) -> dict[int, str]:
    """Display names of the people in some shifts, in one query."""
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids).only("name", "email")}


def staff_choices() -> list[tuple[int, str]]:
    """Active staff who can hold a shift, for the pickers of the schedule pages."""
    people = User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES)).only("name", "email")
    return sorted(((u.pk, u.display_name) for u in people), key=lambda pair: pair[1].lower())


def on_call_now(schedule: Schedule, at: datetime | None = None) -> int | None:
    """The user id of the final on-call of the schedule at ``at`` (now by default)."""
    at = at or timezone.now()
    schedule = (
        Schedule.objects.filter(pk=schedule.pk)
        .prefetch_related(
            Prefetch("layers", queryset=RotationLayer.objects.prefetch_related("members"))
        )
        .first()
    )
    if schedule is None:
        return None
    spec = schedule_spec(schedule, start=at, end=at + timedelta(microseconds=1))
    return rotation.on_call_at(spec, at)


def schedule_shifts(schedule: Schedule, start: datetime, end: datetime) -> list[rotation.Shift]:
    return rotation.shifts(schedule_spec(schedule, start=start, end=end), start, end)


@dataclass
class Warning:
    code: str
    message: str


def schedule_check(schedule: Schedule, *, days: int = 28) -> list[Warning]:
    """Warnings shown when a schedule is edited: gaps and back-to-back night shifts."""
    zone = ZoneInfo(schedule.time_zone)
    today = timezone.now().astimezone(zone).date()
    start = rotation.wall(today, time(0), zone)
    end = rotation.wall(today + timedelta(days=days), time(0), zone)
    final = schedule_shifts(schedule, start, end)
    names = dict(User.objects.values_list("pk", "email"))
    out = []
    for g0, g1 in rotation.gaps(final, start, end):
        out.append(
            Warning(
                "gap",
                _("Nobody is on call from %(start)s to %(end)s.")
                % {
                    "start": g0.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    "end": g1.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                },
            )
        )
    for user_id, night in rotation.back_to_back_nights(
        final, today, today + timedelta(days=days - 1), zone
    ):
        out.append(
            Warning(
                "back_to_back_nights",
                _("%(who)s works the nights of %(first)s and %(second)s in a row.")
                % {
                    "who": names.get(user_id, user_id),
                    "first": (night - timedelta(days=1)).isoformat(),
                    "second": night.isoformat(),
                },
            )
        )
    return out


def schedule_fairness(schedule: Schedule, *, month: date) -> dict[int, rotation.Load]:
    """Nights, night hours and weekend hours per person in the month of ``month``."""
    zone = ZoneInfo(schedule.time_zone)
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = rotation.wall(first, time(0), zone)
    end = rotation.wall(last + timedelta(days=2), time(0), zone)
    return rotation.fairness(schedule_shifts(schedule, start, end), first, last, zone)
