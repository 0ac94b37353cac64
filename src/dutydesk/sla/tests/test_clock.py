"""The SLA clock, case by case: calendars, holidays, transferred days, DST nights, pauses."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dutydesk.sla.clock import (
    Calendar,
    CalendarError,
    WorkingHours,
    add_business_time,
    business_time,
    is_working,
    next_working_instant,
)

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def msk(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=MOSCOW)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def weekdays(start: time, end: time | None, days: range = range(5)) -> tuple[WorkingHours, ...]:
    return tuple(WorkingHours(day, start, end) for day in days)


OFFICE_HOURS = weekdays(time(9), time(18))
ALWAYS = Calendar("Europe/Moscow", always_open=True)  # acme: 24/7
OFFICE = Calendar("Europe/Moscow", hours=OFFICE_HOURS)  # globex: Mon–Fri 09–18 Moscow
NEW_YEAR = Calendar(
    "Europe/Moscow",
    hours=OFFICE_HOURS,
    holidays=frozenset(date(2027, 1, day) for day in range(1, 9)),
)
# Saturday 2026-03-14 is worked with Monday's hours (a Russian "перенос").
WORKED_SATURDAY = Calendar("Europe/Moscow", hours=OFFICE_HOURS, working_days={date(2026, 3, 14): 0})
MONDAY_OFF = Calendar("Europe/Moscow", hours=OFFICE_HOURS, holidays=frozenset({date(2026, 3, 16)}))
SPLIT_NEW_YORK = Calendar(
    "America/New_York", hours=weekdays(time(8), time(12)) + weekdays(time(13), time(17))
)
BERLIN_NIGHTS = Calendar("Europe/Berlin", hours=weekdays(time(0), time(6), range(7)))
NEW_YORK_NIGHTS = Calendar("America/New_York", hours=weekdays(time(0), time(6), range(7)))
BERLIN_ALWAYS = Calendar("Europe/Berlin", always_open=True)

# 2026-03-13 is a Friday, 03-14 a Saturday, 03-16 a Monday.
DUE_CASES = [
    pytest.param(ALWAYS, msk(2026, 3, 14, 3), 15 * MINUTE, msk(2026, 3, 14, 3, 15),
                 id="24/7: P1 at 03:00 on Saturday is due at 03:15"),
    pytest.param(BERLIN_ALWAYS, datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), HOUR,
                 datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN),
                 id="24/7 counts real time: an hour across spring-forward is 01:30 to 03:30"),
    pytest.param(OFFICE, msk(2026, 3, 14, 3), 30 * MINUTE, msk(2026, 3, 16, 9, 30),
                 id="office: Saturday 03:00 plus 30 min is Monday 09:30"),
    pytest.param(OFFICE, msk(2026, 3, 13, 17, 50), 30 * MINUTE, msk(2026, 3, 16, 9, 20),
                 id="office: Friday 17:50 plus 30 min is Monday 09:20"),
    pytest.param(OFFICE, msk(2026, 3, 13, 17, 30), 30 * MINUTE, msk(2026, 3, 13, 18),
                 id="office: a due that lands on closing time stays at 18:00"),
    pytest.param(OFFICE, msk(2026, 3, 16, 7), HOUR, msk(2026, 3, 16, 10),
                 id="office: before opening, the clock starts at 09:00"),
    pytest.param(OFFICE, msk(2026, 3, 14, 3), 8 * HOUR, msk(2026, 3, 16, 17),
                 id="office: 8 h resolution from Saturday is Monday 17:00"),
    pytest.param(OFFICE, msk(2026, 3, 16, 10), 45 * HOUR, msk(2026, 3, 23, 10),
                 id="office: a working week of 45 h is the same hour next Monday"),
    pytest.param(NEW_YEAR, msk(2026, 12, 31, 17, 50), 30 * MINUTE, msk(2027, 1, 11, 9, 20),
                 id="holidays: 10 min on Dec 31, then Jan 1-8 off, so Jan 11 09:20"),
    pytest.param(MONDAY_OFF, msk(2026, 3, 14, 3), 30 * MINUTE, msk(2026, 3, 17, 9, 30),
                 id="holidays: a Monday holiday moves the due to Tuesday"),
    pytest.param(WORKED_SATURDAY, msk(2026, 3, 14, 3), 30 * MINUTE, msk(2026, 3, 14, 9, 30),
                 id="transferred day: a Saturday worked as Monday is due the same morning"),
    pytest.param(SPLIT_NEW_YORK, datetime(2026, 3, 16, 11, 30, tzinfo=NEW_YORK), HOUR,
                 datetime(2026, 3, 16, 13, 30, tzinfo=NEW_YORK),
                 id="two intervals: the lunch break does not count"),
    pytest.param(BERLIN_NIGHTS, datetime(2026, 3, 29, tzinfo=BERLIN), 2 * HOUR,
                 datetime(2026, 3, 29, 3, tzinfo=BERLIN),
                 id="Berlin spring-forward: 2 h from midnight end at 03:00, 02:00 never exists"),
    pytest.param(BERLIN_NIGHTS, datetime(2026, 10, 25, tzinfo=BERLIN), 3 * HOUR,
                 utc(2026, 10, 25, 1),  # the second 02:00 of the night (CET)
                 id="Berlin fall-back: 3 h from midnight end at the second 02:00"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 3, 8, tzinfo=NEW_YORK), 3 * HOUR,
                 datetime(2026, 3, 8, 4, tzinfo=NEW_YORK),
                 id="New York spring-forward: 3 h from midnight end at 04:00"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 11, 1, tzinfo=NEW_YORK), 2 * HOUR,
                 utc(2026, 11, 1, 6),  # the second 01:00 of the night (EST)
                 id="New York fall-back: 2 h from midnight end at the second 01:00"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "start", "duration", "due"), DUE_CASES)
def test_add_business_time(calendar, start, duration, due):
    got = add_business_time(calendar, start, duration)

    assert got == due
    assert got.tzinfo is UTC


SPAN_CASES = [
    pytest.param(OFFICE, msk(2026, 3, 13, 17), msk(2026, 3, 16, 10), 2 * HOUR,
                 id="office: Friday 17:00 to Monday 10:00 is 2 h"),
    pytest.param(OFFICE, msk(2026, 3, 16), msk(2026, 3, 23), 45 * HOUR,
                 id="office: a whole week is 45 h"),
    pytest.param(OFFICE, msk(2026, 3, 14), msk(2026, 3, 16), timedelta(0),
                 id="office: a weekend is nothing"),
    pytest.param(OFFICE, msk(2026, 3, 16, 9, 0, 0, 1), msk(2026, 3, 16, 9, 0, 0, 3),
                 timedelta(microseconds=2), id="exact to the microsecond"),
    pytest.param(NEW_YEAR, msk(2026, 12, 31, 17), msk(2027, 1, 11, 10), 2 * HOUR,
                 id="holidays: Dec 31 17:00 to Jan 11 10:00 is 2 h"),
    pytest.param(WORKED_SATURDAY, msk(2026, 3, 13, 17), msk(2026, 3, 16, 10), 11 * HOUR,
                 id="transferred day: the worked Saturday adds its 9 h"),
    pytest.param(BERLIN_NIGHTS, datetime(2026, 3, 28, 12, tzinfo=BERLIN),
                 datetime(2026, 3, 29, 12, tzinfo=BERLIN), 5 * HOUR,
                 id="Berlin spring-forward: the night 00:00-06:00 holds 5 h"),
    pytest.param(BERLIN_NIGHTS, datetime(2026, 10, 24, 12, tzinfo=BERLIN),
                 datetime(2026, 10, 25, 12, tzinfo=BERLIN), 7 * HOUR,
                 id="Berlin fall-back: the night 00:00-06:00 holds 7 h"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 3, 7, 12, tzinfo=NEW_YORK),
                 datetime(2026, 3, 8, 12, tzinfo=NEW_YORK), 5 * HOUR,
                 id="New York spring-forward: the night 00:00-06:00 holds 5 h"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 10, 31, 12, tzinfo=NEW_YORK),
                 datetime(2026, 11, 1, 12, tzinfo=NEW_YORK), 7 * HOUR,
                 id="New York fall-back: the night 00:00-06:00 holds 7 h"),
    pytest.param(BERLIN_ALWAYS, datetime(2026, 10, 25, tzinfo=BERLIN),
                 datetime(2026, 10, 26, tzinfo=BERLIN), 25 * HOUR,
                 id="24/7: the fall-back day in Berlin lasts 25 h"),
    pytest.param(OFFICE, msk(2026, 3, 16, 12), msk(2026, 3, 16, 10), timedelta(0),
                 id="end before start is nothing"),
    pytest.param(OFFICE, msk(2026, 3, 16, 12), msk(2026, 3, 16, 12), timedelta(0),
                 id="end equal to start is nothing"),
    pytest.param(OFFICE, utc(2026, 3, 16, 7), msk(2026, 3, 16, 11), timedelta(hours=1),
                 id="start and end may be in different zones"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "start", "end", "expected"), SPAN_CASES)
def test_business_time(calendar, start, end, expected):
    assert business_time(calendar, start, end) == expected


MONDAY_10 = msk(2026, 3, 16, 10)
PAUSE_CASES = [
    pytest.param(MONDAY_10, 8 * HOUR, [], msk(2026, 3, 16, 18),
                 id="no pause: 8 h from Monday 10:00 is Monday 18:00"),
    pytest.param(MONDAY_10, 8 * HOUR, [(msk(2026, 3, 16, 11), msk(2026, 3, 16, 13))],
                 msk(2026, 3, 17, 11),
                 id="2 h pending in working hours move the due by 2 working hours"),
    pytest.param(MONDAY_10, 8 * HOUR,
                 [(msk(2026, 3, 16, 11, 30), msk(2026, 3, 16, 13)),
                  (msk(2026, 3, 16, 11), msk(2026, 3, 16, 12))],
                 msk(2026, 3, 17, 11), id="overlapping, unsorted pauses count once"),
    pytest.param(MONDAY_10, 8 * HOUR,
                 [(msk(2026, 3, 16, 11), msk(2026, 3, 16, 12)),
                  (msk(2026, 3, 16, 12), msk(2026, 3, 16, 13))],
                 msk(2026, 3, 17, 11), id="back-to-back pauses add up"),
    pytest.param(msk(2026, 3, 16, 17), 2 * HOUR, [(msk(2026, 3, 16, 19), msk(2026, 3, 17, 8))],
                 msk(2026, 3, 17, 10), id="a pause outside working hours moves nothing"),
    pytest.param(MONDAY_10, 8 * HOUR, [(msk(2026, 3, 16, 8), msk(2026, 3, 16, 11))],
                 msk(2026, 3, 17, 10), id="a pause begun before the start counts from the start"),
    pytest.param(MONDAY_10, HOUR, [(msk(2026, 3, 16, 10, 30), msk(2026, 3, 16, 14))],
                 msk(2026, 3, 16, 14, 30), id="a pause over the due: the rest follows the pause"),
    pytest.param(MONDAY_10, HOUR, [(msk(2026, 3, 16, 11), msk(2026, 3, 16, 14))],
                 msk(2026, 3, 16, 11), id="a pause that starts at the due moves nothing"),
    pytest.param(MONDAY_10, HOUR, [(msk(2026, 3, 16, 9), msk(2026, 3, 16, 10))],
                 msk(2026, 3, 16, 11), id="a pause that ends at the start moves nothing"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "duration", "pauses", "due"), PAUSE_CASES)
def test_pauses_move_the_due_by_the_paused_working_time(start, duration, pauses, due):
    got = add_business_time(OFFICE, start, duration, pauses)

    assert got == due
    assert business_time(OFFICE, start, got, pauses) == duration


def test_paused_time_is_not_business_time():
    pauses = [
        (msk(2026, 3, 16, 11), msk(2026, 3, 16, 13)),
        (msk(2026, 3, 16, 12), msk(2026, 3, 16, 14)),
    ]

    assert business_time(OFFICE, msk(2026, 3, 16, 9), msk(2026, 3, 16, 18), pauses) == 6 * HOUR


def test_a_pause_on_a_24_7_calendar_moves_the_due_by_its_length():
    pauses = [(msk(2026, 3, 14, 3, 5), msk(2026, 3, 14, 3, 10))]

    assert add_business_time(ALWAYS, msk(2026, 3, 14, 3), 15 * MINUTE, pauses) == msk(
        2026, 3, 14, 3, 20
    )


def test_zero_duration_is_due_at_the_start_even_outside_working_hours():
    saturday = msk(2026, 3, 14, 3)

    due = add_business_time(OFFICE, saturday, timedelta(0))

    assert due == saturday
    assert due.tzinfo is UTC


WORKING_CASES = [
    pytest.param(OFFICE, msk(2026, 3, 16, 9), True, id="office opens at 09:00"),
    pytest.param(OFFICE, msk(2026, 3, 16, 17, 59, 59, 999999), True, id="office: last instant"),
    pytest.param(OFFICE, msk(2026, 3, 16, 18), False, id="office is closed at 18:00"),
    pytest.param(OFFICE, msk(2026, 3, 14, 12), False, id="office is closed on Saturday"),
    pytest.param(WORKED_SATURDAY, msk(2026, 3, 14, 12), True, id="the transferred Saturday works"),
    pytest.param(MONDAY_OFF, msk(2026, 3, 16, 12), False, id="a holiday does not work"),
    pytest.param(ALWAYS, msk(2026, 3, 14, 3), True, id="24/7 always works"),
    pytest.param(SPLIT_NEW_YORK, datetime(2026, 3, 16, 12, 30, tzinfo=NEW_YORK), False,
                 id="two intervals: lunch is not working time"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "instant", "working"), WORKING_CASES)
def test_is_working(calendar, instant, working):
    assert is_working(calendar, instant) is working


@pytest.mark.parametrize(
    ("calendar", "instant", "expected"),
    [
        pytest.param(OFFICE, msk(2026, 3, 14, 3), msk(2026, 3, 16, 9), id="weekend: Monday 09:00"),
        pytest.param(OFFICE, msk(2026, 3, 16, 10), msk(2026, 3, 16, 10), id="working: itself"),
        pytest.param(NEW_YEAR, msk(2026, 12, 31, 18), msk(2027, 1, 11, 9), id="past holidays"),
        pytest.param(ALWAYS, msk(2026, 3, 14, 3), msk(2026, 3, 14, 3), id="24/7: itself"),
    ],
)
def test_next_working_instant(calendar, instant, expected):
    found = next_working_instant(calendar, instant)

    assert found == expected
    assert found.tzinfo is UTC


NAIVE = datetime(2026, 3, 16, 10)
AWARE = msk(2026, 3, 16, 10)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: business_time(OFFICE, NAIVE, AWARE), id="business_time start"),
        pytest.param(lambda: business_time(OFFICE, AWARE, NAIVE), id="business_time end"),
        pytest.param(lambda: business_time(OFFICE, AWARE, AWARE, [(NAIVE, AWARE)]), id="pause"),
        pytest.param(lambda: add_business_time(OFFICE, NAIVE, HOUR), id="add_business_time"),
        pytest.param(lambda: add_business_time(OFFICE, NAIVE, timedelta(0)), id="zero duration"),
        pytest.param(lambda: add_business_time(ALWAYS, NAIVE, HOUR), id="24/7"),
        pytest.param(lambda: is_working(OFFICE, NAIVE), id="is_working"),
        pytest.param(lambda: next_working_instant(OFFICE, NAIVE), id="next_working_instant"),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="aware"):
        call()


def test_a_negative_duration_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(OFFICE, AWARE, -MINUTE)


def test_a_pause_that_ends_before_it_starts_is_rejected():
    with pytest.raises(ValueError, match="pause ends before it starts"):
        business_time(OFFICE, AWARE, AWARE + HOUR, [(AWARE + MINUTE, AWARE)])


def hours(*intervals: tuple[int, time, time | None]) -> tuple[WorkingHours, ...]:
    return tuple(WorkingHours(*interval) for interval in intervals)


BAD_CALENDARS = [
    pytest.param(Calendar("Mars/Olympus_Mons", hours=OFFICE_HOURS), "unknown time zone",
                 id="unknown time zone"),
    pytest.param(Calendar("", hours=OFFICE_HOURS), "not an IANA name", id="empty time zone"),
    pytest.param(Calendar("../etc/passwd", hours=OFFICE_HOURS), "unknown time zone",
                 id="a path is not a time zone"),
    pytest.param(Calendar("Europe/Moscow"), "no working hours", id="no working time"),
    pytest.param(Calendar("UTC", hours=hours((0, time(9), time(13)), (0, time(12), time(18)))),
                 "Monday 09:00–13:00 and 12:00–18:00 overlap", id="overlapping intervals"),
    pytest.param(Calendar("UTC", hours=hours((2, time(0), None), (2, time(23), time(23, 30)))),
                 "Wednesday 00:00–24:00 and 23:00–23:30 overlap", id="overlap with a whole day"),
    pytest.param(Calendar("UTC", hours=hours((0, time(9), time(9)))), "empty",
                 id="empty interval"),
    pytest.param(Calendar("UTC", hours=hours((4, time(22), time(6)))),
                 "Friday 22:00–06:00 ends before it starts", id="inverted interval"),
    pytest.param(Calendar("UTC", hours=hours((7, time(9), time(18)))),
                 r"weekday 7 is not 0 \(Monday\) to 6 \(Sunday\)", id="weekday 7"),
    pytest.param(Calendar("UTC", hours=hours((-1, time(9), time(18)))), "weekday -1",
                 id="weekday -1"),
    pytest.param(Calendar("UTC", hours=hours((0, time(9, tzinfo=UTC), time(18)))),
                 "local wall time", id="hours with a time zone"),
    pytest.param(Calendar("UTC", hours=OFFICE_HOURS, working_days={date(2026, 3, 14): 9}),
                 "working day 2026-03-14: weekday 9", id="transferred to weekday 9"),
    pytest.param(Calendar("UTC", hours=OFFICE_HOURS,
                          working_days=((date(2026, 3, 14), 0), (date(2026, 3, 14), 1))),
                 "two different weekdays", id="transferred twice"),
    pytest.param(Calendar("UTC", hours=OFFICE_HOURS, holidays=frozenset({date(2026, 3, 14)}),
                          working_days={date(2026, 3, 14): 0}),
                 "both a holiday and a working day", id="holiday and working day"),
    pytest.param(Calendar("UTC", hours=OFFICE_HOURS,
                          holidays=frozenset({datetime(2026, 3, 16, tzinfo=UTC)})),
                 "is not a date", id="a datetime as holiday"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "message"), BAD_CALENDARS)
def test_validate_rejects_a_bad_calendar(calendar, message):
    with pytest.raises(CalendarError, match=message):
        calendar.validate()


@pytest.mark.parametrize(("calendar", "message"), BAD_CALENDARS[:4])
def test_the_clock_refuses_a_bad_calendar(calendar, message):
    with pytest.raises(CalendarError, match=message):
        add_business_time(calendar, AWARE, HOUR)


@pytest.mark.parametrize(
    "calendar",
    [
        pytest.param(ALWAYS, id="24/7"),
        pytest.param(OFFICE, id="office"),
        pytest.param(Calendar("UTC", hours=hours((0, time(9), time(13)), (0, time(13), None))),
                     id="touching intervals"),
        pytest.param(WORKED_SATURDAY, id="transferred day"),
    ],
)  # fmt: skip
def test_validate_accepts_a_good_calendar(calendar):
    calendar.validate()


def test_calendars_hash_and_compare_by_value():
    as_dict = Calendar("UTC", hours=[*OFFICE_HOURS], working_days={date(2026, 3, 14): 0})
    as_pairs = Calendar("UTC", hours=OFFICE_HOURS, working_days=((date(2026, 3, 14), 0),))

    assert as_dict == as_pairs
    assert hash(as_dict) == hash(as_pairs)
    assert as_dict.working_days == ((date(2026, 3, 14), 0),)
    assert pickle.loads(pickle.dumps(as_dict)) == as_pairs


def test_a_due_that_is_never_reached_raises():
    """Mondays only, and every Monday for 23 years a holiday: no time to work."""
    first_monday = date(2026, 3, 16)
    mondays = frozenset(first_monday + timedelta(weeks=n) for n in range(52 * 23))
    calendar = Calendar("UTC", hours=hours((0, time(9), time(18))), holidays=mondays)

    with pytest.raises(CalendarError, match="does not pass within 20 years"):
        add_business_time(calendar, msk(2026, 3, 14), HOUR)
    with pytest.raises(CalendarError, match="no working time within 20 years"):
        next_working_instant(calendar, msk(2026, 3, 14))


def test_a_span_of_years_counts_nine_hours_a_weekday():
    first, last = date(2026, 1, 1), date(2029, 1, 1)
    days = (first + timedelta(days=n) for n in range((last - first).days))
    expected = 9 * HOUR * sum(day.weekday() < 5 for day in days)

    assert business_time(OFFICE, msk(2026, 1, 1), msk(2029, 1, 1)) == expected
    assert add_business_time(OFFICE, msk(2026, 1, 1), expected) == msk(2028, 12, 29, 18)
