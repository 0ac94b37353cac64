"""The SLA clock: working time between instants on a calendar, with pauses.

Pure functions over plain values (no Django, no database). A UTC instant is working when
the calendar is always open, or when its local wall time in the calendar's zone falls in
one of that local date's working intervals (a holiday has none; a transferred working day
borrows another weekday's), and no pause covers it. DST is exact: a skipped local hour
does not exist, a repeated one counts twice. Results are exact to the microsecond.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Calendar",
    "CalendarError",
    "Pause",
    "WorkingHours",
    "add_business_time",
    "business_time",
    "is_working",
    "next_working_instant",
]

Pause = tuple[datetime, datetime]

# Inside, instants are integer microseconds since the Unix epoch: exact, and cheap to bisect.
_US = timedelta(microseconds=1)
_ZERO = timedelta(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_HOUR = 3_600_000_000
_DAY = 24 * _HOUR
# Working time is laid out in UTC chunks of 52 weeks: a due date rarely crosses one, and one
# builds in well under a millisecond once its zone's offsets are known (about 12 ms, once
# per zone and chunk).
_CHUNK = 364 * _DAY
# Searches forward give up after this long, so a calendar whose remaining working days are
# all holidays raises instead of looping forever.
_SEARCH_YEARS = 20
_SEARCH_CHUNKS = _SEARCH_YEARS * 366 * _DAY // _CHUNK + 2
# A chunk and the local dates around it must fit in datetime's years 1..9999.
_LOWEST = (datetime(2, 1, 1, tzinfo=UTC) - _EPOCH) // _US
_HIGHEST = (datetime(9998, 12, 31, tzinfo=UTC) - _EPOCH) // _US
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Spans = tuple[tuple[int, int], ...]  # sorted disjoint [start, end) pairs, in microseconds


class CalendarError(ValueError):
    """A calendar that cannot measure working time, or a due instant it never reaches."""


@dataclass(frozen=True)
class WorkingHours:
    """One working interval [start, end) of local wall time on a weekday (0 = Monday)."""

    weekday: int
    start: time
    end: time | None  # None: until midnight (24:00)


@dataclass(frozen=True)
class Calendar:
    """When the clock runs: always, or weekly hours less holidays plus transferred days.

    ``working_days`` maps a local date to the weekday whose hours it works (a Saturday worked
    as a Monday); a dict is accepted and stored as sorted pairs, so calendars hash.
    """

    time_zone: str
    always_open: bool = False
    hours: tuple[WorkingHours, ...] = ()
    holidays: frozenset[date] = frozenset()
    working_days: Mapping[date, int] | tuple[tuple[date, int], ...] = ()

    def __post_init__(self) -> None:
        # Lists, sets and dicts are frozen here, so a calendar can key the clock's caches.
        object.__setattr__(self, "hours", tuple(self.hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "working_days", _pairs(self.working_days))

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # Every clock call looks the calendar up in a cache, and hashing the hours each
        # time would cost as much as the rest of the call.
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[Calendar], tuple[object, ...]]:
        # Rebuild through __init__: a pickle must not carry a hash to a process whose string
        # hashes differ.
        return (Calendar, self._fields())

    def _fields(self) -> tuple[object, ...]:
        return (self.time_zone, self.always_open, self.hours, self.holidays, self.working_days)

    def validate(self) -> None:
        """Raise CalendarError naming the first problem that stops this calendar measuring."""
        _zone(self.time_zone)
        if not self.always_open and not self.hours:
            raise CalendarError("the calendar has no working hours: add some, or make it 24/7")
        _week(self.hours)
        for day in self.holidays:
            _check_date(day, "holiday")
        transferred: dict[date, int] = {}
        for day, weekday in _pairs(self.working_days):
            _check_date(day, "working day")
            if not _is_weekday(weekday):
                raise CalendarError(
                    f"working day {day}: weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)"
                )
            if transferred.setdefault(day, weekday) != weekday:
                raise CalendarError(f"working day {day} is given two different weekdays")
            if day in self.holidays:
                raise CalendarError(f"{day} is both a holiday and a working day")


def business_time(
    calendar: Calendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> timedelta:
    """The working, un-paused time in [start, end); zero when end <= start."""
    timeline = _timeline(calendar)
    a, b = _us(start), _us(end)
    paused = _union(pauses, a, b)
    if b <= a:
        return _ZERO
    origin = a // _CHUNK
    since = timeline.since
    worked = since(origin, b) - since(origin, a)
    for pause_start, pause_end in paused:
        worked -= since(origin, pause_end) - since(origin, pause_start)
    return _US * worked


def add_business_time(
    calendar: Calendar, start: datetime, duration: timedelta, pauses: Iterable[Pause] = ()
) -> datetime:
    """The earliest instant by which ``duration`` of working, un-paused time has passed.

    A zero duration gives ``start`` (in UTC, like every instant the clock returns).
    """
    timeline = _timeline(calendar)
    at = _us(start)
    wanted = _duration(duration)
    origin = at // _CHUNK
    paused = _union(pauses, at, timeline.horizon(origin))
    if not wanted:
        return _dt(at)
    # On the scale of working time since the origin, the due is where that reaches the
    # target; each pause that starts before the due pushes the target by the work it hides.
    since = timeline.since
    target = since(origin, at) + wanted
    for pause_start, pause_end in paused:
        before = since(origin, pause_start)
        if before >= target:
            break
        target += since(origin, pause_end) - before
    due = timeline.reach(origin, target)
    if due is None:
        raise CalendarError(
            f"{duration} of working time does not pass within {_SEARCH_YEARS} years after "
            f"{start.isoformat()}: are the working days all holidays?"
        )
    return _dt(due)


def is_working(calendar: Calendar, instant: datetime) -> bool:
    """Whether the calendar counts this instant as working time."""
    return _timeline(calendar).is_working(_us(instant))


def next_working_instant(calendar: Calendar, instant: datetime) -> datetime:
    """The instant itself when working, else the start of the next working interval (UTC)."""
    found = _timeline(calendar).next_working(_us(instant))
    if found is None:
        raise CalendarError(
            f"no working time within {_SEARCH_YEARS} years after {instant.isoformat()}: "
            "are the working days all holidays?"
        )
    return _dt(found)


# --- the timelines --------------------------------------------------------------------
# A timeline answers in integer microseconds. ``since(origin, x)`` is the working time from
# the start of chunk ``origin`` to x: a non-decreasing scale on which durations add up.


class _AlwaysOpen:
    """24/7: every instant is working time, so the scale is the clock itself."""

    def since(self, origin: int, x: int) -> int:
        return x - origin * _CHUNK

    def reach(self, origin: int, target: int) -> int | None:
        return origin * _CHUNK + target

    def horizon(self, origin: int) -> int | None:
        return None

    def is_working(self, x: int) -> bool:
        return True

    def next_working(self, x: int) -> int | None:
        return x


@dataclass(frozen=True, slots=True)
class _Chunk:
    """The working intervals inside one UTC chunk, with running totals to bisect."""

    starts: list[int]
    ends: list[int]
    upto: list[int]  # working time from the chunk's start to ends[i]
    total: int

    @classmethod
    def of(cls, spans: Iterable[tuple[int, int]]) -> _Chunk:
        """The chunk of sorted disjoint spans, joining those that touch."""
        starts: list[int] = []
        ends: list[int] = []
        for start, end in spans:
            if ends and ends[-1] == start:  # 24:00 meets 00:00, or a DST segment boundary
                ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        upto: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            total += end - start
            upto.append(total)
        return cls(starts, ends, upto, total)

    def until(self, x: int) -> int:
        """The working time from the chunk's start to x, an instant inside the chunk."""
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return 0
        after = self.ends[i] - x  # the rest of the interval x is in, if it is in one
        return self.upto[i] - after if after > 0 else self.upto[i]

    def reach(self, target: int) -> int:
        """The earliest instant by which ``target`` (0 < target <= total) has been worked."""
        i = bisect_left(self.upto, target)
        return self.ends[i] - (self.upto[i] - target)


class _Weekly:
    """Weekly hours, holidays and transferred days, laid out lazily chunk by chunk in UTC."""

    def __init__(self, calendar: Calendar) -> None:
        self.zone = calendar.time_zone
        self.week = _week(calendar.hours)
        self.holidays = calendar.holidays
        self.transferred = dict(_pairs(calendar.working_days))
        self.chunks: dict[int, _Chunk] = {}

    def since(self, origin: int, x: int) -> int:
        k = x // _CHUNK
        worked = (self.chunks.get(k) or self.chunk(k)).until(x)
        for j in range(origin, k):  # usually none: x is in the origin's chunk
            worked += self.chunk(j).total
        return worked

    def reach(self, origin: int, target: int) -> int | None:
        """The earliest instant with ``since(origin, x) >= target``; None past the horizon."""
        for k in range(origin, origin + _SEARCH_CHUNKS):
            chunk = self.chunks.get(k) or self.chunk(k)
            if target <= chunk.total:
                return chunk.reach(target)
            target -= chunk.total
        return None

    def horizon(self, origin: int) -> int | None:
        """Where reach gives up: searching further only proves the calendar has no time."""
        return (origin + _SEARCH_CHUNKS) * _CHUNK

    def is_working(self, x: int) -> bool:
        chunk = self.chunk(x // _CHUNK)
        i = bisect_right(chunk.ends, x)  # the first interval that ends after x
        return i < len(chunk.ends) and chunk.starts[i] <= x

    def next_working(self, x: int) -> int | None:
        first = x // _CHUNK
        for k in range(first, first + _SEARCH_CHUNKS):
            chunk = self.chunk(k)
            i = bisect_right(chunk.ends, x)
            if i < len(chunk.ends):
                return max(x, chunk.starts[i])
        return None

    def chunk(self, k: int) -> _Chunk:
        chunk = self.chunks.get(k)
        if chunk is None:  # two threads may both build it: same result, no harm
            chunk = self.chunks[k] = self._build(k)
        return chunk

    def _build(self, k: int) -> _Chunk:
        lo, hi = k * _CHUNK, (k + 1) * _CHUNK
        if lo < _LOWEST or hi > _HIGHEST:
            raise CalendarError("the SLA clock works with instants from year 3 to year 9997")
        segments = _offsets(self.zone, lo, hi)
        offsets = [offset for _, _, offset in segments]
        # The wall-time intervals of every local date an instant of the chunk can fall on,
        # as microseconds of a naive local timeline.
        local_starts: list[int] = []
        local_ends: list[int] = []
        for n in range((lo + min(offsets)) // _DAY, (hi - 1 + max(offsets)) // _DAY + 1):
            midnight = n * _DAY
            for start, end in self._day(date.fromordinal(_EPOCH_ORDINAL + n)):
                local_starts.append(midnight + start)
                local_ends.append(midnight + end)
        # Within a segment wall time is UTC plus a constant, so each segment maps back
        # exactly: a skipped hour matches nothing, a repeated one matches in both segments.
        spans: list[tuple[int, int]] = []
        for seg_start, seg_end, offset in segments:
            wall_start, wall_end = seg_start + offset, seg_end + offset
            i = bisect_right(local_ends, wall_start)
            while i < len(local_starts) and local_starts[i] < wall_end:
                start = max(local_starts[i], wall_start) - offset
                spans.append((start, min(local_ends[i], wall_end) - offset))
                i += 1
        return _Chunk.of(spans)  # in order: segments follow each other, and each keeps order

    def _day(self, day: date) -> Spans:
        if day in self.holidays:
            return ()
        return self.week[self.transferred.get(day, day.weekday())]


@lru_cache(maxsize=256)
def _timeline(calendar: Calendar) -> _AlwaysOpen | _Weekly:
    """The calendar validated and compiled; cached, so equal calendars share their layout."""
    calendar.validate()
    return _AlwaysOpen() if calendar.always_open else _Weekly(calendar)


@lru_cache(maxsize=1024)
def _offsets(zone: str, lo: int, hi: int) -> tuple[tuple[int, int, int], ...]:
    """The zone's UTC offset over [lo, hi) as (start, end, offset) segments in microseconds."""
    tz = ZoneInfo(zone)

    def offset(x: int) -> int:
        local = (_EPOCH + timedelta(microseconds=x)).astimezone(tz)
        return (local.utcoffset() or _ZERO) // _US

    segments: list[tuple[int, int, int]] = []
    seg_start, seg_offset = lo, offset(lo)
    known = lo  # an instant with seg_offset, before the probe
    # Probe hourly and bisect each change to the microsecond: no zone changes its offset
    # twice within an hour.
    for probe in [*range(lo + _HOUR, hi, _HOUR), hi - 1]:
        while offset(probe) != seg_offset:
            left, right = known, probe
            while right - left > 1:
                middle = (left + right) // 2
                if offset(middle) == seg_offset:
                    left = middle
                else:
                    right = middle
            segments.append((seg_start, right, seg_offset))
            seg_start, seg_offset, known = right, offset(right), right
        known = probe
    segments.append((seg_start, hi, seg_offset))
    return tuple(segments)


# --- validation and conversion --------------------------------------------------------


def _week(hours: Iterable[WorkingHours]) -> tuple[Spans, ...]:
    """Each weekday's intervals in microseconds of the day, sorted; CalendarError if bad."""
    days: list[list[tuple[int, int]]] = [[] for _ in _WEEKDAYS]
    for item in hours:
        if not isinstance(item, WorkingHours):
            raise CalendarError(f"{item!r} is not WorkingHours")
        if not _is_weekday(item.weekday):
            raise CalendarError(f"weekday {item.weekday!r} is not 0 (Monday) to 6 (Sunday)")
        start = _time_us(item.start)
        end = _DAY if item.end is None else _time_us(item.end)
        name = f"{_WEEKDAYS[item.weekday]} {_clock(start)}–{_clock(end)}"
        if end == start:
            raise CalendarError(f"{name} is empty: it must end after it starts")
        if end < start:
            raise CalendarError(
                f"{name} ends before it starts: for hours across midnight give two "
                "intervals, one until 24:00 (end None) and one from 00:00 the next day"
            )
        days[item.weekday].append((start, end))
    for weekday, spans in enumerate(days):
        spans.sort()
        for (start, end), (later, later_end) in pairwise(spans):
            if later < end:
                raise CalendarError(
                    f"{_WEEKDAYS[weekday]} {_clock(start)}–{_clock(end)} and "
                    f"{_clock(later)}–{_clock(later_end)} overlap"
                )
    return tuple(tuple(spans) for spans in days)


def _zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError(f"time zone {name!r} is not an IANA name such as 'Europe/Moscow'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(
            f"unknown time zone {name!r}: give an IANA name such as 'Europe/Moscow'"
        ) from None


def _pairs(days: Mapping[date, int] | Iterable[tuple[date, int]]) -> tuple[tuple[date, int], ...]:
    items = days.items() if isinstance(days, Mapping) else days
    return tuple(sorted((day, weekday) for day, weekday in items))


def _check_date(day: object, what: str) -> None:
    # A datetime is a date too, but would never equal the local dates the clock looks up.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise CalendarError(f"{what} {day!r} is not a date")


def _is_weekday(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6


def _time_us(value: time) -> int:
    if not isinstance(value, time):
        raise CalendarError(f"{value!r} is not a time of day")
    if value.tzinfo is not None:
        raise CalendarError(f"working hours are local wall time: give {value} without a zone")
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _clock(us: int) -> str:
    """Microseconds of a day as HH:MM, with seconds only when there are any."""
    minutes, rest = divmod(us, 60_000_000)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{rest / 1_000_000:09.6f}" if rest else text


def _us(instant: datetime) -> int:
    try:
        return (instant - _EPOCH) // _US
    except TypeError:  # naive: Python refuses to subtract it from an aware datetime
        raise ValueError(f"the SLA clock needs aware datetimes, not {instant!r}") from None


def _dt(us: int) -> datetime:
    # Always UTC, never the caller's zone: by PEP 495 a datetime in a repeated local hour
    # compares unequal to every datetime of another zone, even the same instant.
    return _EPOCH + _US * us


def _duration(duration: timedelta) -> int:
    if duration < _ZERO:
        raise ValueError(f"a duration cannot be negative: {duration}")
    return duration // _US


def _union(pauses: Iterable[Pause], lo: int, hi: int | None) -> list[tuple[int, int]]:
    """The pauses clipped to [lo, hi), merged into sorted disjoint spans."""
    spans: list[tuple[int, int]] = []
    if not pauses:  # the common case, and cheap to spot
        return spans
    for pause_start, pause_end in sorted(_pause(pause) for pause in pauses):
        start = max(pause_start, lo)
        end = pause_end if hi is None else min(pause_end, hi)
        if start >= end:
            continue
        if spans and start <= spans[-1][1]:  # overlapping pauses count once
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _pause(pause: Pause) -> tuple[int, int]:
    start, end = pause
    a, b = _us(start), _us(end)
    if b < a:
        raise ValueError(f"pause ends before it starts: {start.isoformat()} > {end.isoformat()}")
    return a, b
