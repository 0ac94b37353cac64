"""Clock calendars are reused while their rows are unchanged, and rebuilt once they change."""

from datetime import date, time

import pytest
import time_machine

from dutydesk.sla.calendars import clock_calendar_cached
from dutydesk.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from dutydesk.sla.services import calendar_save

pytestmark = pytest.mark.django_db

YEARS = range(2026, 2029)


@pytest.fixture
def moscow() -> BusinessCalendar:
    return BusinessCalendar.objects.get(slug="moscow-office")


def test_an_unchanged_calendar_is_built_once(moscow, django_assert_num_queries):
    first = clock_calendar_cached(moscow, years=YEARS)
    again = BusinessCalendar.objects.get(pk=moscow.pk)
    with django_assert_num_queries(0):
        assert clock_calendar_cached(again, years=YEARS) is first


@time_machine.travel("2026-12-01 10:00Z", tick=False)
def test_a_day_added_in_this_process_is_seen_even_at_the_same_instant(moscow):
    before = clock_calendar_cached(moscow, years=YEARS)
    assert date(2027, 6, 1) not in before.holidays
    CalendarDay.objects.create(calendar=moscow, date=date(2027, 6, 1), kind="holiday")
    after = clock_calendar_cached(moscow, years=YEARS)
    assert date(2027, 6, 1) in after.holidays


def test_a_calendar_saved_elsewhere_misses_by_its_updated_time(moscow):
    before = clock_calendar_cached(moscow, years=YEARS)
    assert len(before.hours) == 5
    # Another process saved the calendar (this process's cache got no signal): the rows
    # and the calendar's updated time changed in the database.
    WorkingInterval.objects.bulk_create(
        [WorkingInterval(calendar=moscow, weekday=5, start=time(10), end=time(14))]
    )
    BusinessCalendar.objects.filter(pk=moscow.pk).update(
        updated_at=moscow.updated_at.replace(year=2030)
    )
    fresh = BusinessCalendar.objects.get(pk=moscow.pk)
    assert len(clock_calendar_cached(fresh, years=YEARS).hours) == 6


def test_calendar_save_replaces_the_cached_hours(moscow):
    clock_calendar_cached(moscow, years=YEARS)
    calendar_save(
        calendar=moscow,
        intervals=[WorkingInterval(weekday=d, start=time(8), end=time(12)) for d in range(5)],
        days=[],
        by=None,
    )
    rebuilt = clock_calendar_cached(BusinessCalendar.objects.get(pk=moscow.pk), years=YEARS)
    assert {(h.start, h.end) for h in rebuilt.hours} == {(time(8), time(12))}
