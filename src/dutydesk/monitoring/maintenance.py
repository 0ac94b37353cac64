"""When maintenance windows are open: pure functions over a window's fields."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from cronsim import CronSim, CronSimError

from dutydesk.core.zones import zone_or_utc
from dutydesk.monitoring.models import MaintenanceWindow, Recurrence

# Occurrences are searched this far back, so a window that began before is still found.
MAX_DURATION = timedelta(days=7)


def _zone(window: MaintenanceWindow) -> zoneinfo.ZoneInfo:
    return zone_or_utc(window.time_zone)


def _bounded(window: MaintenanceWindow, start: datetime) -> bool:
    """A recurring window applies only between its optional starts_at and ends_at."""
    if window.starts_at and start < window.starts_at:
        return False
    return not (window.ends_at and start >= window.ends_at)


def occurrences(window: MaintenanceWindow, since: datetime, until: datetime) -> Iterator[tuple]:
    """Every (start, end) of the window that overlaps [since, until), in order."""
    duration = timedelta(minutes=window.duration_minutes)
    if window.recurrence == Recurrence.ONCE:
        starts, ends = window.starts_at, window.ends_at
        if starts and ends and starts < until and ends > since:
            yield starts, ends
        return
    tz = _zone(window)
    if window.recurrence == Recurrence.WEEKLY:
        if window.start_time is None or not window.weekdays:
            return
        day = (since - duration).astimezone(tz).date()
        last = until.astimezone(tz).date()
        while day <= last:
            if day.isoweekday() in window.weekdays:
                start = datetime.combine(day, window.start_time, tzinfo=tz)
                # Resolve a wall-clock time that a DST change skipped or repeated.
                start = start.astimezone(zoneinfo.ZoneInfo("UTC"))
                if start < until and start + duration > since and _bounded(window, start):
                    yield start, start + duration
            day += timedelta(days=1)
        return
    if window.recurrence == Recurrence.CRON and window.cron:
        try:
            fires = CronSim(window.cron, (since - duration).astimezone(tz))
        except (CronSimError, ValueError):
            return
        for _n in range(10_000):
            start = next(fires, None)
            if start is None or start >= until:
                return
            if start + duration > since and _bounded(window, start):
                yield start, start + duration


def window_active(window: MaintenanceWindow, at: datetime) -> bool:
    return next(occurrences(window, at, at + timedelta(microseconds=1)), None) is not None


def any_active(windows: Iterable[MaintenanceWindow], at: datetime, check_id: int | None) -> bool:
    """True when an organisation-wide window, or one of this check, is open at ``at``.

    A window of an alert integration silences only that integration's alerts.
    """
    return any(
        w.integration_id is None
        and (w.check_ref_id is None or w.check_ref_id == check_id)
        and window_active(w, at)
        for w in windows
    )
