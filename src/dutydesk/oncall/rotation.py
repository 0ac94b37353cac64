"""Schedule expansion as pure functions: who is on call at an instant, and every shift in a range.

No ORM here: the models are turned into these dataclasses (``oncall.selectors``), so the
rules can be property-tested against a brute-force oracle. All instants are aware; wall
times (handoffs of day/week shifts, restriction windows) are read in the schedule's zone,
so a daily handoff at 08:00 stays at 08:00 across DST and a night shift on the night
clocks change is simply an hour shorter or longer — no hour is dropped or covered twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

HOURS, DAYS, WEEKS = "hours", "days", "weeks"


@dataclass(frozen=True)
class Restriction:
    """Windows a layer covers: on the given weekdays (0 = Monday), from ``start`` to ``end``
    wall time; ``end <= start`` crosses midnight (20:00–08:00), ``start == end`` is 24 hours
    (00:00–00:00 on Saturday and Sunday is a weekend layer). A window belongs to the
    weekday it starts on."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class Layer:
    level: int
    participants: tuple[int, ...]
    unit: str  # hours, days or weeks
    count: int
    handoff: datetime  # the first shift starts here; nobody is on call in this layer before
    restriction: Restriction | None = None
    name: str = ""


@dataclass(frozen=True)
class Override:
    user: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ScheduleSpec:
    zone: ZoneInfo
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()


class Shift(NamedTuple):
    """A tuple, not a dataclass: a year of a busy schedule builds thousands of them."""

    start: datetime
    end: datetime
    user: int
    source: str = ""  # "layer:<level>" or "override"


def _u(at: datetime) -> datetime:
    """The instant in UTC: comparing datetimes that share one tzinfo object skips the
    offset look-ups that made a year of shifts cost several times more."""
    return at if at.tzinfo is UTC else at.astimezone(UTC)


def _normal(spec: ScheduleSpec) -> ScheduleSpec:
    return ScheduleSpec(
        spec.zone,
        tuple(replace(layer, handoff=_u(layer.handoff)) for layer in spec.layers),
        tuple(Override(o.user, _u(o.start), _u(o.end)) for o in spec.overrides),
    )


def wall(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall time; a time skipped by DST maps to just after the jump."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


# --- one layer's shifts ---------------------------------------------------------------


def _boundary(layer: Layer, k: int, zone: ZoneInfo) -> datetime:
    """Start of the layer's k-th shift (k may be negative when asked about earlier times)."""
    if layer.unit == HOURS:
        return layer.handoff + timedelta(hours=layer.count * k)
    days = layer.count * k * (7 if layer.unit == WEEKS else 1)
    local = layer.handoff.astimezone(zone)
    return wall(local.date() + timedelta(days=days), local.time(), zone)


def _shift_index(layer: Layer, at: datetime, zone: ZoneInfo) -> int:
    """The k whose shift holds ``at`` (k < 0 before the handoff)."""
    if layer.unit == HOURS:
        return (at - layer.handoff) // timedelta(hours=layer.count)
    days = layer.count * (7 if layer.unit == WEEKS else 1)
    local_days = (at.astimezone(zone).date() - layer.handoff.astimezone(zone).date()).days
    k = local_days // days
    # The estimate by dates is off by at most one where the handoff wall time is crossed.
    while _boundary(layer, k, zone) > at:
        k -= 1
    while _boundary(layer, k + 1, zone) <= at:
        k += 1
    return k


def _windows(r: Restriction, start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple]:
    """The restriction's windows that meet [start, end), as UTC (start, end) pairs."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    out = []
    day = first
    while day <= last:
        if day.weekday() in r.days:
            s = wall(day, r.start, zone)
            e_day = day + timedelta(days=1) if r.end <= r.start else day
            e = wall(e_day, r.end, zone)
            if e > start and s < end and e > s:
                out.append((max(s, start), min(e, end)))
        day += timedelta(days=1)
    return out


def _in_restriction(r: Restriction, at: datetime, zone: ZoneInfo) -> bool:
    return bool(_windows(r, at, at + timedelta(microseconds=1), zone))


def layer_on_call(layer: Layer, at: datetime, zone: ZoneInfo) -> int | None:
    """Who the layer has on call at ``at``, or None (not started, no one, outside its window)."""
    if not layer.participants or at < layer.handoff:
        return None
    if layer.restriction is not None and not _in_restriction(layer.restriction, at, zone):
        return None
    k = _shift_index(layer, at, zone)
    return layer.participants[k % len(layer.participants)]


def layer_shifts(layer: Layer, start: datetime, end: datetime, zone: ZoneInfo) -> list[Shift]:
    """The layer's shifts cut to [start, end) and to its restriction windows, in order."""
    layer = replace(layer, handoff=_u(layer.handoff))
    start, end = _u(start), _u(end)
    start = max(start, layer.handoff)
    if not layer.participants or start >= end:
        return []
    source = f"layer:{layer.level}"
    n = len(layer.participants)
    raw: list[Shift] = []
    k = _shift_index(layer, start, zone)
    s = _boundary(layer, k, zone)
    while s < end:
        e = _boundary(layer, k + 1, zone)
        if e > s:
            user = layer.participants[k % n]
            raw.append(Shift(max(s, start), min(e, end), user, source))
        k, s = k + 1, e
    if layer.restriction is None:
        return raw
    windows = _windows(layer.restriction, start, end, zone)
    out: list[Shift] = []
    i = 0
    for ws, we in windows:
        while i < len(raw) and raw[i].end <= ws:
            i += 1
        j = i
        while j < len(raw) and raw[j].start < we:
            a, b = max(raw[j].start, ws), min(raw[j].end, we)
            if a < b:
                out.append(Shift(a, b, raw[j].user, source))
            j += 1
    return out


# --- the final result -----------------------------------------------------------------


def override_on_call(overrides: Sequence[Override], at: datetime) -> int | None:
    """The latest-listed override covering ``at`` wins among overrides."""
    for o in reversed(overrides):
        if o.start <= at < o.end:
            return o.user
    return None


def on_call_at(spec: ScheduleSpec, at: datetime) -> int | None:
    """The final on-call at ``at``: an override, else the highest layer that has someone."""
    who = override_on_call(spec.overrides, at)
    if who is not None:
        return who
    for layer in sorted(spec.layers, key=lambda x: -x.level):
        who = layer_on_call(layer, at, spec.zone)
        if who is not None:
            return who
    return None


def on_call_by_layer(spec: ScheduleSpec, at: datetime) -> dict[int, int | None]:
    return {layer.level: layer_on_call(layer, at, spec.zone) for layer in spec.layers}


def _override_shifts(overrides: Sequence[Override], start: datetime, end: datetime) -> list[Shift]:
    relevant = [o for o in overrides if o.end > start and o.start < end and o.end > o.start]
    if not relevant:
        return []
    edges = sorted(
        {start, end, *(max(o.start, start) for o in relevant)} | {min(o.end, end) for o in relevant}
    )
    out = []
    for a, b in itertools.pairwise(edges):
        who = override_on_call(relevant, a)
        if who is not None:
            out.append(Shift(a, b, who, "override"))
    return out


def _merge(shifts: Iterable[Shift]) -> list[Shift]:
    out: list[Shift] = []
    for s in shifts:
        if out and out[-1].end == s.start and out[-1].user == s.user and out[-1].source == s.source:
            out[-1] = Shift(out[-1].start, s.end, s.user, s.source)
        else:
            out.append(s)
    return out


def shifts(spec: ScheduleSpec, start: datetime, end: datetime) -> list[Shift]:
    """Every final shift in [start, end): contiguous runs of one person from one source."""
    spec, start, end = _normal(spec), _u(start), _u(end)
    tracks = [_override_shifts(spec.overrides, start, end)] + [
        layer_shifts(layer, start, end, spec.zone)
        for layer in sorted(spec.layers, key=lambda x: -x.level)
    ]
    edges = sorted(
        {start, end} | {s.start for t in tracks for s in t} | {s.end for t in tracks for s in t}
    )
    # Edges only grow, so each track keeps a cursor instead of searching from the start.
    cursors = [0] * len(tracks)
    pieces = []
    for a, b in itertools.pairwise(edges):
        for n, track in enumerate(tracks):
            i = cursors[n]
            while i < len(track) and track[i].end <= a:
                i += 1
            cursors[n] = i
            if i < len(track) and track[i].start <= a:
                pieces.append(Shift(a, b, track[i].user, track[i].source))
                break
    return _merge(pieces)


# --- checks at edit time --------------------------------------------------------------


def gaps(final: Sequence[Shift], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Intervals of [start, end) when nobody is on call."""
    out = []
    cursor = start
    for s in final:
        if s.start > cursor:
            out.append((cursor, s.start))
        cursor = max(cursor, s.end)
    if cursor < end:
        out.append((cursor, end))
    return out


NIGHT_START, NIGHT_END = time(22, 0), time(6, 0)


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> timedelta:
    return max(timedelta(0), min(a1, b1) - max(a0, b0))


def night_owner(final: Sequence[Shift], night: date, zone: ZoneInfo) -> int | None:
    """Who holds most of the night that starts on ``night`` (22:00–06:00 wall time)."""
    n0 = wall(night, NIGHT_START, zone)
    n1 = wall(night + timedelta(days=1), NIGHT_END, zone)
    held: dict[int, timedelta] = {}
    for s in final:
        held[s.user] = held.get(s.user, timedelta(0)) + _overlap(s.start, s.end, n0, n1)
    held = {u: t for u, t in held.items() if t > timedelta(0)}
    return max(held, key=lambda u: held[u]) if held else None


def back_to_back_nights(
    final: Sequence[Shift], first: date, last: date, zone: ZoneInfo
) -> list[tuple[int, date]]:
    """(person, second night) for everyone given two night shifts in a row (seed 003)."""
    out = []
    previous = night_owner(final, first, zone)
    day = first + timedelta(days=1)
    while day <= last:
        owner = night_owner(final, day, zone)
        if owner is not None and owner == previous:
            out.append((owner, day))
        previous, day = owner, day + timedelta(days=1)
    return out


@dataclass
class Load:
    nights: int = 0
    night_hours: float = 0.0
    weekend_hours: float = 0.0
    total_hours: float = 0.0


def fairness(final: Sequence[Shift], first: date, last: date, zone: ZoneInfo) -> dict[int, Load]:
    """Per person over the local days first..last: nights held, night and weekend hours."""
    loads: dict[int, Load] = {}
    day = first
    while day <= last:
        d0, d1 = wall(day, time(0), zone), wall(day + timedelta(days=1), time(0), zone)
        n0 = wall(day, NIGHT_START, zone)
        n1 = wall(day + timedelta(days=1), NIGHT_END, zone)
        for s in final:
            if s.end <= d0 and s.end <= n0:
                continue
            if s.start >= n1 and s.start >= d1:
                continue
            load = loads.setdefault(s.user, Load())
            hours = _overlap(s.start, s.end, d0, d1).total_seconds() / 3600
            load.total_hours += hours
            if day.weekday() >= 5:
                load.weekend_hours += hours
            load.night_hours += _overlap(s.start, s.end, n0, n1).total_seconds() / 3600
        owner = night_owner(final, day, zone)
        if owner is not None:
            loads.setdefault(owner, Load()).nights += 1
        day += timedelta(days=1)
    return loads
