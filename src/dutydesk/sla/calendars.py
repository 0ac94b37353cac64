"""From calendar rows to the pure clock calendar, and the checks a calendar must pass.

Public holidays come from the ``holidays`` package. For Russia it also lists the weekend
days worked instead (``weekend_workdays``); each works as the weekday of the day off it was
swapped with. Where a country has none, enter transferred working days by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.sla import clock
from dutydesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    DayKind,
    WorkingInterval,
    validate_holiday_country,
    validate_time_zone,
)

# A calendar must have working time within this many days from today.
HORIZON_DAYS = 366


def clock_calendar(calendar: BusinessCalendar, *, years: range) -> clock.Calendar:
    """The saved calendar as the clock sees it, with holidays of ``years``."""
    return build_clock_calendar(
        calendar, calendar.intervals.all(), calendar.days.all(), years=years
    )


# Clock calendars of saved rows, shared by the tickets a process handles: building one
# takes two queries and the country's holidays, and each new ticket needs it. A calendar
# saved anywhere gets a new ``updated_at`` (admin, API and ``calendar_save`` all save the
# calendar row), which misses the cache in every process; a save or delete of a calendar,
# interval or day in this process empties it (see sla.signals).
_CACHE: dict[tuple, clock.Calendar] = {}
_CACHE_SIZE = 256


def clock_calendar_cached(calendar: BusinessCalendar, *, years: range) -> clock.Calendar:
    """``clock_calendar`` for a saved calendar, from this process's cache when unchanged."""
    if calendar.pk is None or calendar.updated_at is None:
        return clock_calendar(calendar, years=years)
    key = (
        calendar.pk,
        calendar.updated_at,
        calendar.time_zone,
        calendar.always_open,
        calendar.holiday_country,
        years.start,
        years.stop,
    )
    found = _CACHE.get(key)
    if found is None:
        found = clock_calendar(calendar, years=years)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def clock_calendar_forget() -> None:
    _CACHE.clear()


def build_clock_calendar(
    calendar: BusinessCalendar,
    intervals: Iterable[WorkingInterval],
    days: Iterable[CalendarDay],
    *,
    years: range,
) -> clock.Calendar:
    """The clock calendar of unsaved or saved rows; manual days win over the country's."""
    hours = tuple(clock.WorkingHours(i.weekday, i.start, i.end) for i in intervals)
    manual_holidays: set[date] = set()
    manual_working: dict[date, int] = {}
    for day in days:
        if day.kind == DayKind.WORKING:
            manual_working[day.date] = day.works_as_weekday  # type: ignore[assignment]
        elif day.yearly:
            manual_holidays.update(_yearly(day.date, years))
        else:
            manual_holidays.add(day.date)
    public, transferred = country_days(calendar.holiday_country, years=years)
    working = {d: w for d, w in transferred.items() if d not in manual_holidays}
    working.update(manual_working)
    holiday_dates = (public - working.keys()) | manual_holidays
    return clock.Calendar(
        time_zone=calendar.time_zone,
        always_open=calendar.always_open,
        hours=hours,
        holidays=frozenset(holiday_dates),
        working_days=working,
    )


def country_days(code: str, *, years: range) -> tuple[set[date], dict[date, int]]:
    """A country's public holidays and its transferred working days (date → weekday worked)."""
    if not code:
        return set(), {}
    found = holidays.country_holidays(code, years=list(years))
    transferred = {
        day: _swapped_weekday(found, day) for day in getattr(found, "weekend_workdays", ())
    }
    return set(found.keys()), transferred


def _swapped_weekday(found: holidays.HolidayBase, workday: date) -> int:
    # The package names the day off "Day off (substituted from <workday>)": the workday works
    # that day's hours. Monday when no such day is listed (e.g. it falls in another year).
    template = getattr(found, "substituted_label", None)
    date_format = getattr(found, "substituted_date_format", None)
    if not template or not date_format:
        return 0
    label = found.tr(template) % workday.strftime(found.tr(date_format))
    for day, name in sorted(found.items()):
        if label in name.split("; "):
            return day.weekday()
    return 0


def _yearly(day: date, years: range) -> set[date]:
    # 29 February repeats only in leap years.
    out = set()
    for year in years:
        try:
            out.add(day.replace(year=year))
        except ValueError:
            continue
    return out


def calendar_validate(
    *,
    calendar: BusinessCalendar,
    intervals: Sequence[WorkingInterval],
    days: Sequence[CalendarDay],
    today: date | None = None,
) -> None:
    """Raise ValidationError with the first reason this calendar cannot measure time."""
    validate_time_zone(calendar.time_zone)
    validate_holiday_country(calendar.holiday_country)
    seen: set[tuple[date, str]] = set()
    for day in days:
        if (day.date, day.kind) in seen:
            raise ValidationError(
                _("%(date)s is listed twice as the same kind of day.") % {"date": day.date}
            )
        seen.add((day.date, day.kind))
        if day.kind == DayKind.WORKING and day.works_as_weekday is None:
            raise ValidationError(
                _("Working day %(date)s: choose whose weekday's hours it works.")
                % {"date": day.date}
            )
        if day.kind == DayKind.HOLIDAY and day.works_as_weekday is not None:
            raise ValidationError(
                _("Holiday %(date)s: a holiday does not work as a weekday.") % {"date": day.date}
            )
        if day.kind == DayKind.WORKING and day.yearly:
            raise ValidationError(
                _("Working day %(date)s: only holidays repeat every year.") % {"date": day.date}
            )
    if today is None:
        today = timezone.now().astimezone(ZoneInfo(calendar.time_zone)).date()
    built = build_clock_calendar(calendar, intervals, days, years=range(today.year, today.year + 2))
    try:
        built.validate()
    except clock.CalendarError as error:
        raise ValidationError(
            _("This calendar cannot be used: %(why)s.") % {"why": error}
        ) from None
    if not built.always_open and not _works_within(built, today, HORIZON_DAYS):
        raise ValidationError(
            _("This calendar has no working time in the next year: every working day is a holiday.")
        )


def _works_within(calendar: clock.Calendar, start: date, days: int) -> bool:
    weekdays = {hours.weekday for hours in calendar.hours}
    transferred = dict(calendar.working_days)
    for n in range(days):
        day = start + timedelta(days=n)
        if day not in calendar.holidays and transferred.get(day, day.weekday()) in weekdays:
            return True
    return False
