"""The SLA clock agrees with the minute-by-minute oracle on generated calendars and cases.

Calendars: 24/7 or one to three intervals a day on random weekdays, in zones with and
without DST, with holidays and transferred working days near the case. Starts fall in
2026–2027: 40 % within three days of a Berlin or New York DST change (mostly on a
calendar in that zone), 20 % just before an edge of the clock's internal chunks, the rest
anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutydesk.sla.clock import (
    _CHUNK,
    Calendar,
    Pause,
    WorkingHours,
    add_business_time,
    business_time,
    is_working,
    next_working_instant,
)
from dutydesk.sla.tests.oracle import (
    oracle_add,
    oracle_business_minutes,
    oracle_is_working,
    oracle_next_working,
)

MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_MINUTES = 24 * 60
ZONES = ("Europe/Moscow", "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata")
# The 2026 and 2027 DST changes of Berlin (01:00 UTC) and New York (07:00 / 06:00 UTC).
DST_CHANGES = tuple(
    (datetime(*moment, tzinfo=UTC), zone)
    for zone, moments in [
        (
            "Europe/Berlin",
            [(2026, 3, 29, 1), (2026, 10, 25, 1), (2027, 3, 28, 1), (2027, 10, 31, 1)],
        ),
        (
            "America/New_York",
            [(2026, 3, 8, 7), (2026, 11, 1, 6), (2027, 3, 14, 7), (2027, 11, 7, 6)],
        ),
    ]
    for moment in moments
)
FIRST_MINUTE = datetime(2026, 1, 1, tzinfo=UTC)
LAST_MINUTE = datetime(2027, 12, 31, 23, 59, tzinfo=UTC)
# Day boundaries near the DST hours and the edges of the day come up often.
CUTS = st.one_of(
    st.sampled_from([0, 60, 120, 150, 180, 240, 360, 540, 1080, 1380, 1440]),
    st.integers(0, DAY_MINUTES),
)

# 4 properties x 2,500 = 10,000 generated cases per run, plus the smaller checks below.
CASES = settings(
    max_examples=2500,
    deadline=None,
    print_blob=True,
    database=None,  # no example database in the tree: print_blob reproduces a failure
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Case:
    calendar: Calendar
    start: datetime
    pauses: tuple[Pause, ...]
    weekly_minutes: int  # working minutes in a week with no holidays (0: always open)

    def target_limit(self) -> int:
        """Targets up to two days, but at most two weeks of this calendar's working time."""
        if not self.weekly_minutes:
            return 2 * DAY_MINUTES
        return min(2 * DAY_MINUTES, 2 * self.weekly_minutes)


def test_the_dst_changes_are_real():
    """The biased starts really sit on offset changes of the generated zones."""
    for change, name in DST_CHANGES:
        zone = ZoneInfo(name)
        before = (change - MINUTE).astimezone(zone).utcoffset()
        assert change.astimezone(zone).utcoffset() != before


# Strategies are built once here: building them inside the composites costs more than
# the clock and the oracle together.
NEAR_DST = st.tuples(st.sampled_from(DST_CHANGES), st.integers(-3 * DAY_MINUTES, 3 * DAY_MINUTES))
ANY_MINUTE = st.integers(0, (LAST_MINUTE - FIRST_MINUTE) // MINUTE)
# White-box: the clock lays working time out in chunks of _CHUNK microseconds since the
# epoch, and a case that crosses an edge exercises the sums across chunks.
CHUNK_EDGES = tuple(
    EPOCH + k * _CHUNK * MICROSECOND
    for k in range(-(-(FIRST_MINUTE - EPOCH) // (_CHUNK * MICROSECOND)), 100)
    if EPOCH + k * _CHUNK * MICROSECOND <= LAST_MINUTE
)
NEAR_CHUNK_EDGE = st.tuples(
    st.sampled_from(CHUNK_EDGES), st.integers(-4 * DAY_MINUTES, DAY_MINUTES)
)
PAUSES = st.lists(
    st.tuples(st.integers(-DAY_MINUTES, 4 * DAY_MINUTES), st.integers(1, DAY_MINUTES)),
    max_size=3,
)
# Mon–Fri, every day (DST changes fall on Sundays), or any.
WEEKDAYS = st.one_of(
    st.just(frozenset(range(5))),
    st.just(frozenset(range(7))),
    st.frozensets(st.integers(0, 6), min_size=1),
)
CUT_LISTS = st.lists(CUTS, min_size=2, max_size=6, unique=True)  # 1-3 intervals
NEAR_DAYS = st.integers(-3, 10)
HOLIDAYS = st.frozensets(NEAR_DAYS, max_size=4)
TRANSFERS = st.dictionaries(NEAR_DAYS, st.integers(0, 6), max_size=2)
MINUTES = st.one_of(st.integers(0, 120), st.integers(0, 2 * DAY_MINUTES))
MICROSECONDS = st.integers(0, 2 * DAY_MINUTES * 60_000_000)
UNDER_A_MINUTE = st.integers(0, 60_000_000 - 1).map(lambda us: timedelta(microseconds=us))
LENGTH = st.integers(-60, 4 * DAY_MINUTES)
THREE_OFFSETS = st.lists(st.integers(0, 4 * DAY_MINUTES), min_size=3, max_size=3)
TWO_TARGETS = st.lists(MINUTES, min_size=2, max_size=2)
CALLER_ZONE = st.integers(0, 2)


@st.composite
def instants(draw: st.DrawFn) -> tuple[datetime, str | None]:
    """A minute-aligned UTC instant in 2026–2027, and the zone whose DST change it is near."""
    kind = draw(st.integers(0, 4))
    if kind < 2:
        (change, zone), minutes = draw(NEAR_DST)
        return change + minutes * MINUTE, zone
    if kind == 2:
        edge, minutes = draw(NEAR_CHUNK_EDGE)
        return edge + minutes * MINUTE, None
    return FIRST_MINUTE + draw(ANY_MINUTE) * MINUTE, None


def as_hours(weekday: int, start: int, end: int) -> WorkingHours:
    end_time = None if end == DAY_MINUTES else time(end // 60, end % 60)
    return WorkingHours(weekday, time(start // 60, start % 60), end_time)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A calendar, a start and pauses near each other."""
    start, dst_zone = draw(instants())
    zone = draw(st.sampled_from(ZONES))
    if dst_zone and draw(st.integers(0, 3)):  # mostly the zone whose change is near
        zone = dst_zone
    pauses = tuple(
        (start + offset * MINUTE, start + (offset + length) * MINUTE)
        for offset, length in draw(PAUSES)
    )
    if draw(st.integers(0, 9)) == 7:  # about one in ten: 24/7
        return Case(Calendar(zone, always_open=True), start, pauses, 0)
    hours: list[WorkingHours] = []
    free = set(range(7))
    weekly_minutes = 0
    for _ in range(draw(st.integers(1, 2))):  # one or two groups of weekdays, own hours each
        weekdays = draw(WEEKDAYS) & free
        cuts = sorted(draw(CUT_LISTS))
        template = list(zip(cuts[::2], cuts[1::2], strict=False))  # an odd last cut is dropped
        free -= weekdays
        hours += [as_hours(d, s, e) for d in sorted(weekdays) for s, e in template]
        weekly_minutes += len(weekdays) * sum(e - s for s, e in template)
    day = start.date()
    holidays = frozenset(day + timedelta(days=n) for n in draw(HOLIDAYS))
    working_days = {
        day + timedelta(days=n): weekday
        for n, weekday in draw(TRANSFERS).items()
        if day + timedelta(days=n) not in holidays
    }
    calendar = Calendar(zone, False, tuple(hours), holidays, working_days)
    calendar.validate()
    return Case(calendar, start, pauses, weekly_minutes)


def in_some_zone(case: Case, choice: int) -> datetime:
    """The start as a caller might hold it: in UTC, the calendar's zone, or a fixed offset."""
    zones: list[tzinfo] = [UTC, ZoneInfo(case.calendar.time_zone), timezone(-timedelta(hours=5))]
    return case.start.astimezone(zones[choice])


@CASES
@given(case=cases(), length=LENGTH, zone=CALLER_ZONE)
def test_business_time_matches_the_oracle(case: Case, length: int, zone: int):
    end = case.start + length * MINUTE

    got = business_time(case.calendar, in_some_zone(case, zone), end, case.pauses)

    assert got == oracle_business_minutes(case.calendar, case.start, end, case.pauses) * MINUTE
    working = oracle_is_working(case.calendar, case.start)
    assert is_working(case.calendar, in_some_zone(case, zone)) is working


@CASES
@given(case=cases(), raw=MINUTES, zone=CALLER_ZONE)
def test_add_business_time_matches_the_oracle(case: Case, raw: int, zone: int):
    minutes = raw % (case.target_limit() + 1)

    due = add_business_time(case.calendar, in_some_zone(case, zone), minutes * MINUTE, case.pauses)

    assert due == oracle_add(case.calendar, case.start, minutes, case.pauses)


@CASES
@given(case=cases(), raw=MICROSECONDS, data=st.data())
def test_business_time_of_the_due_is_the_duration_to_the_microsecond(
    case: Case, raw: int, data: st.DataObject
):
    """Off the minute grid too: the due is the earliest instant with exactly that much work."""
    start = case.start + data.draw(UNDER_A_MINUTE)
    pauses = [
        (s + data.draw(UNDER_A_MINUTE), e + data.draw(UNDER_A_MINUTE)) for s, e in case.pauses
    ]
    duration = timedelta(microseconds=raw % (case.target_limit() * 60_000_000 + 1))

    due = add_business_time(case.calendar, start, duration, pauses)

    assert due >= start
    assert business_time(case.calendar, start, due, pauses) == duration
    if duration:
        just_before = due - timedelta(microseconds=1)
        assert business_time(case.calendar, start, just_before, pauses) < duration


@CASES
@given(case=cases(), targets=TWO_TARGETS, offsets=THREE_OFFSETS)
def test_the_clock_is_monotonic_and_additive(case: Case, targets: list[int], offsets: list[int]):
    shorter, longer = sorted(raw % (case.target_limit() + 1) for raw in targets)
    first = add_business_time(case.calendar, case.start, shorter * MINUTE, case.pauses)
    second = add_business_time(case.calendar, case.start, longer * MINUTE, case.pauses)
    assert first <= second

    a, b, c = sorted(case.start + m * MINUTE for m in offsets)
    ab = business_time(case.calendar, a, b, case.pauses)
    bc = business_time(case.calendar, b, c, case.pauses)
    ac = business_time(case.calendar, a, c, case.pauses)
    assert timedelta(0) <= ab <= ac
    assert ab + bc == ac


@settings(CASES, max_examples=500)
@given(case=cases())
def test_next_working_instant_matches_the_oracle(case: Case):
    found = next_working_instant(case.calendar, case.start)

    assert found == oracle_next_working(case.calendar, case.start)
    assert (found == case.start) is is_working(case.calendar, case.start)


@pytest.mark.parametrize(
    ("zone", "night", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 5),
        ("Europe/Berlin", date(2026, 10, 25), 7),
        ("America/New_York", date(2026, 3, 8), 5),
        ("America/New_York", date(2026, 11, 1), 7),
        ("Europe/Moscow", date(2026, 3, 29), 6),
    ],
)
def test_the_oracle_counts_dst_nights_by_the_definition(zone, night, hours):
    """The oracle itself, on the nights the table tests pin: 00:00–06:00 local, every day."""
    calendar = Calendar(zone, hours=tuple(WorkingHours(d, time(0), time(6)) for d in range(7)))
    tz = ZoneInfo(zone)
    midnight = datetime.combine(night, time(0), tz)
    noon = datetime.combine(night, time(12), tz)

    assert oracle_business_minutes(calendar, midnight, noon) == hours * 60
