"""Writes of the SLA app: business calendars saved whole, or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from dutydesk.core.services import audit_record
from dutydesk.sla.calendars import calendar_validate
from dutydesk.sla.models import BusinessCalendar, CalendarDay, WorkingInterval


@transaction.atomic
def calendar_save(
    *,
    calendar: BusinessCalendar,
    intervals: Sequence[WorkingInterval],
    days: Sequence[CalendarDay],
    by: Any,
) -> BusinessCalendar:
    """Validate, then save the calendar and replace its intervals and days; audited.

    Raises ValidationError and changes nothing when the calendar cannot measure time.
    """
    calendar.full_clean()
    for row in [*intervals, *days]:
        row.full_clean(exclude=["calendar"], validate_constraints=False)
    calendar_validate(calendar=calendar, intervals=intervals, days=days)
    created = calendar.pk is None
    calendar.save()
    calendar.intervals.all().delete()
    calendar.days.all().delete()
    for row in [*intervals, *days]:
        row.pk = None
        row.calendar = calendar
    WorkingInterval.objects.bulk_create(intervals)
    CalendarDay.objects.bulk_create(days)
    audit_record(
        actor=by,
        action=f"businesscalendar.{'created' if created else 'changed'}",
        obj=calendar,
        changes={"intervals": (None, len(intervals)), "days": (None, len(days))},
    )
    return calendar
