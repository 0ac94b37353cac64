from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.core.exceptions import ValidationError

from dutydesk.core.models import AuditLog
from dutydesk.sla import clock
from dutydesk.sla.calendars import clock_calendar, country_days
from dutydesk.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from dutydesk.sla.services import calendar_save

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
YEAR_2027 = range(2027, 2028)


@pytest.fixture
def moscow() -> BusinessCalendar:
    return BusinessCalendar.objects.get(slug="moscow-office")


@pytest.fixture
def always() -> BusinessCalendar:
    return BusinessCalendar.objects.get(slug="24x7")


def office_hours(*weekdays: int) -> list[WorkingInterval]:
    return [WorkingInterval(weekday=d, start=time(9), end=time(18)) for d in weekdays]


def new_calendar(**fields) -> BusinessCalendar:
    fields = {"name": "Office", "slug": "office", "time_zone": "Europe/Berlin", **fields}
    return BusinessCalendar(**fields)


def test_default_calendars_are_created_by_the_migration(moscow, always):
    assert always.always_open and always.time_zone == "UTC"
    assert moscow.time_zone == "Europe/Moscow" and moscow.holiday_country == "RU"
    assert [(i.weekday, i.start, i.end) for i in moscow.intervals.all()] == [
        (d, time(9), time(18)) for d in range(5)
    ]


def test_russian_public_holidays_come_from_the_holidays_package(moscow):
    public = holidays.country_holidays("RU", years=2027)
    built = clock_calendar(moscow, years=YEAR_2027)
    assert built.holidays == frozenset(public)
    new_year = {date(2027, 1, d) for d in range(1, 9)}
    assert new_year <= set(public)  # what the package says today
    assert new_year <= built.holidays


def test_russian_transferred_working_days_work_as_the_swapped_weekday(moscow):
    workdays = holidays.country_holidays("RU", years=2027).weekend_workdays
    _, transferred = country_days("RU", years=YEAR_2027)
    assert set(transferred) == workdays == {date(2027, 2, 20)}
    # The package moves Saturday 20 February's rest to Monday 22 February.
    assert transferred[date(2027, 2, 20)] == 0
    built = clock_calendar(moscow, years=YEAR_2027)
    assert clock.is_working(built, datetime(2027, 2, 20, 10, tzinfo=MOSCOW))
    assert not clock.is_working(built, datetime(2027, 2, 22, 10, tzinfo=MOSCOW))


def test_a_yearly_manual_holiday_repeats_every_year(moscow):
    CalendarDay.objects.create(calendar=moscow, date=date(2020, 4, 1), kind="holiday", yearly=True)
    built = clock_calendar(moscow, years=range(2026, 2029))
    assert {date(y, 4, 1) for y in (2026, 2027, 2028)} <= built.holidays
    assert date(2020, 4, 1) not in built.holidays


def test_a_manual_working_day_overrides_a_country_holiday(moscow):
    CalendarDay.objects.create(
        calendar=moscow, date=date(2027, 1, 8), kind="working", works_as_weekday=4
    )
    built = clock_calendar(moscow, years=YEAR_2027)
    assert date(2027, 1, 8) not in built.holidays
    assert dict(built.working_days)[date(2027, 1, 8)] == 4
    assert clock.is_working(built, datetime(2027, 1, 8, 12, tzinfo=MOSCOW))


@pytest.mark.parametrize(
    ("slug", "start", "minutes", "due"),
    [
        # P1 at 03:00 on a Saturday, 24/7: fifteen minutes later.
        ("24x7", datetime(2027, 3, 13, 3, tzinfo=UTC), 15,
         datetime(2027, 3, 13, 3, 15, tzinfo=UTC)),
        # Office hours: Monday 09:30 Moscow.
        ("moscow-office", datetime(2027, 3, 13, 3, tzinfo=MOSCOW), 30,
         datetime(2027, 3, 15, 9, 30, tzinfo=MOSCOW)),
        # Monday 10 May 2027 is Victory Day (observed): Tuesday 09:30.
        ("moscow-office", datetime(2027, 5, 8, 3, tzinfo=MOSCOW), 30,
         datetime(2027, 5, 11, 9, 30, tzinfo=MOSCOW)),
    ],
)  # fmt: skip
def test_due_time_through_the_built_calendar(slug, start, minutes, due):
    built = clock_calendar(BusinessCalendar.objects.get(slug=slug), years=YEAR_2027)
    assert clock.add_business_time(built, start, timedelta(minutes=minutes)) == due


def test_save_creates_the_calendar_with_its_rows_and_audits(supervisor):
    days = [CalendarDay(date=date(2027, 12, 24), kind="holiday", yearly=True, note="Eve")]
    calendar = calendar_save(
        calendar=new_calendar(holiday_country="DE"),
        intervals=office_hours(0, 1, 2, 3, 4),
        days=days,
        by=supervisor,
    )
    assert calendar.intervals.count() == 5 and calendar.days.get().note == "Eve"
    row = AuditLog.objects.get(action="businesscalendar.created")
    assert row.actor == supervisor and row.object_id == str(calendar.pk)


def test_save_replaces_the_rows_of_an_existing_calendar(moscow, supervisor):
    calendar_save(calendar=moscow, intervals=office_hours(0), days=[], by=supervisor)
    assert list(moscow.intervals.values_list("weekday", flat=True)) == [0]
    assert AuditLog.objects.filter(action="businesscalendar.changed").exists()


def _every_monday_from(start: date) -> list[CalendarDay]:
    first = start + timedelta(days=-start.weekday() % 7)
    return [CalendarDay(date=first + timedelta(weeks=n), kind="holiday") for n in range(60)]


@pytest.mark.parametrize(
    ("fields", "intervals", "days", "message"),
    [
        ({}, [], [], "no working hours"),
        (
            {},
            [
                WorkingInterval(weekday=0, start=time(9), end=time(13)),
                WorkingInterval(weekday=0, start=time(12), end=time(18)),
            ],
            [],
            "Monday 09:00–13:00 and 12:00–18:00 overlap",
        ),
        (
            {},
            [WorkingInterval(weekday=2, start=time(18), end=time(9))],
            [],
            "ends before it starts",
        ),
        (
            {},
            [WorkingInterval(weekday=2, start=time(9), end=time(9))],
            [],
            "must end after it starts",
        ),
        ({"time_zone": "Mars/Olympus"}, office_hours(0), [], "Unknown time zone 'Mars/Olympus'"),
        ({"holiday_country": "XX"}, office_hours(0), [], "Unknown holiday country 'XX'"),
        (
            {},
            office_hours(0),
            _every_monday_from(date(2027, 3, 1)),
            "no working time in the next year",
        ),
        (
            {},
            office_hours(0),
            [CalendarDay(date=date(2027, 3, 6), kind="working")],
            "choose whose weekday",
        ),
    ],
    ids=[
        "no-working-time",
        "overlap",
        "end-before-start",
        "empty-interval",
        "unknown-zone",
        "unknown-country",
        "all-holidays",
        "working-day-without-weekday",
    ],
)
def test_bad_calendar_is_rejected_and_nothing_saved(supervisor, fields, intervals, days, message):
    before = BusinessCalendar.objects.count()
    with (
        time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC)),
        pytest.raises(ValidationError) as raised,
    ):
        calendar_save(
            calendar=new_calendar(**fields), intervals=intervals, days=days, by=supervisor
        )
    assert message in " ".join(raised.value.messages)
    assert BusinessCalendar.objects.count() == before
    assert WorkingInterval.objects.filter(calendar__slug="office").count() == 0
    assert not AuditLog.objects.filter(action__startswith="businesscalendar").exists()


def test_a_bad_change_leaves_the_saved_calendar_as_it_was(moscow, supervisor):
    with pytest.raises(ValidationError):
        calendar_save(calendar=moscow, intervals=[], days=[], by=supervisor)
    assert moscow.intervals.count() == 5
