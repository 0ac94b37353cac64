"""A brute-force reference for the SLA clock: the definition, applied minute by minute.

Written apart from ``clock.py`` (it imports nothing from it) so the property tests compare
two independent readings of the definition. It walks UTC minutes [m, m+1) one at a time,
converts each to local wall time with zoneinfo, and asks whether that local date's hours
cover it and no pause does. Everything must be minute-aligned: instants, working hours,
pauses and the zone's offsets, so that each minute is wholly working or wholly not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

MINUTE = timedelta(minutes=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTES_A_DAY = 24 * 60
MAX_WALK = 366 * MINUTES_A_DAY  # oracle_add gives up after walking a year of minutes


class HoursLike(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time | None: ...


class CalendarLike(Protocol):
    @property
    def time_zone(self) -> str: ...
    @property
    def always_open(self) -> bool: ...
    @property
    def hours(self) -> Iterable[HoursLike]: ...
    @property
    def holidays(self) -> Iterable[date]: ...
    @property
    def working_days(self) -> Mapping[date, int] | Iterable[tuple[date, int]]: ...


Pause = tuple[datetime, datetime]


def oracle_business_minutes(
    calendar: CalendarLike, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> int:
    """How many minutes of [start, end) are working and not paused."""
    minutes = _Minutes(calendar, pauses)
    return sum(minutes.working(m) for m in range(_minute(start), _minute(end)))


def oracle_add(
    calendar: CalendarLike, start: datetime, minutes: int, pauses: Iterable[Pause] = ()
) -> datetime:
    """The end of the working minute at which the count since start reaches ``minutes``."""
    if minutes == 0:
        return start
    calendar_minutes = _Minutes(calendar, pauses)
    first = _minute(start)
    count = 0
    for m in range(first, first + MAX_WALK):
        count += calendar_minutes.working(m)
        if count == minutes:
            return EPOCH + (m + 1) * MINUTE
    raise AssertionError(f"{minutes} working minutes not reached within a year of {start}")


def oracle_is_working(
    calendar: CalendarLike, instant: datetime, pauses: Iterable[Pause] = ()
) -> bool:
    """Whether the minute that starts at ``instant`` is working and not paused."""
    return _Minutes(calendar, pauses).working(_minute(instant))


def oracle_next_working(calendar: CalendarLike, instant: datetime) -> datetime:
    """The start of the first working minute at or after ``instant``."""
    minutes = _Minutes(calendar, ())
    first = _minute(instant)
    for m in range(first, first + MAX_WALK):
        if minutes.working(m):
            return EPOCH + m * MINUTE
    raise AssertionError(f"no working minute within a year of {instant}")


class _Minutes:
    """Answers "is UTC minute m (minutes since the epoch) working?" for one case."""

    def __init__(self, calendar: CalendarLike, pauses: Iterable[Pause]) -> None:
        self.always_open = calendar.always_open
        self.zone = ZoneInfo(calendar.time_zone)
        self.hours = [
            (h.weekday, _minute_of_day(h.start), _minute_of_day(h.end)) for h in calendar.hours
        ]
        self.holidays = set(calendar.holidays)
        days = calendar.working_days
        self.transferred = dict(days.items() if isinstance(days, Mapping) else days)
        self.paused = {m for s, e in pauses for m in range(_minute(s), _minute(e))}
        self.offsets: dict[int, tuple[int, int]] = {}  # UTC hour -> offsets at its ends
        self.days: dict[int, bytes] = {}  # local day number -> working flag per minute

    def working(self, m: int) -> bool:
        if m in self.paused:
            return False
        if self.always_open:
            return True
        day, minute = divmod(m + self.offset(m), MINUTES_A_DAY)
        return bool(self.day(day)[minute])

    def offset(self, m: int) -> int:
        """The zone's UTC offset in minutes at minute m, asked of zoneinfo once an hour."""
        hour = m // 60
        ends = self.offsets.get(hour)
        if ends is None:
            ends = self.offsets[hour] = (self._ask(hour * 60), self._ask(hour * 60 + 59))
        # Offsets change at most once an hour; in the hour of a change, ask per minute.
        return ends[0] if ends[0] == ends[1] else self._ask(m)

    def day(self, number: int) -> bytes:
        """The working flags of the 1,440 minutes of a local date (days since 1970-01-01)."""
        flags = self.days.get(number)
        if flags is None:
            local_date = date(1970, 1, 1) + timedelta(days=number)
            weekday = self.transferred.get(local_date, local_date.weekday())
            if local_date in self.holidays:
                weekday = -1  # a holiday has no hours
            working = bytearray(MINUTES_A_DAY)
            for d, start, end in self.hours:
                if d == weekday:
                    working[start:end] = b"\x01" * (end - start)
            flags = self.days[number] = bytes(working)
        return flags

    def _ask(self, m: int) -> int:
        offset = (EPOCH + m * MINUTE).astimezone(self.zone).utcoffset()
        assert offset is not None and offset % MINUTE == timedelta(0), offset
        return offset // MINUTE


def _minute(instant: datetime) -> int:
    since = instant - EPOCH
    assert since % MINUTE == timedelta(0), f"{instant} is not minute-aligned"
    return since // MINUTE


def _minute_of_day(value: time | None) -> int:
    if value is None:
        return MINUTES_A_DAY
    assert value.second == 0 and value.microsecond == 0, f"{value} is not minute-aligned"
    return value.hour * 60 + value.minute
