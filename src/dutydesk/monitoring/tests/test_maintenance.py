"""Maintenance windows: one-off, weekly and cron, in a time zone, per organisation or check."""

from datetime import UTC, datetime, time

import pytest

from dutydesk.monitoring.maintenance import window_active
from dutydesk.monitoring.models import MaintenanceWindow
from dutydesk.monitoring.selectors import in_maintenance, upcoming_maintenance
from dutydesk.monitoring.tests.factories import make_check

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _window(org, **fields):
    return MaintenanceWindow.objects.create(organization=org, title="Works", **fields)


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (at(2026, 3, 2, 9, 59), False),
        (at(2026, 3, 2, 10, 0), True),
        (at(2026, 3, 2, 11, 59), True),
        (at(2026, 3, 2, 12, 0), False),
    ],
)
def test_one_off_window(acme, moment, active):
    window = _window(acme, starts_at=at(2026, 3, 2, 10), ends_at=at(2026, 3, 2, 12))
    assert window_active(window, moment) is active


# Tuesdays and Saturdays from 23:00 Moscow time for two hours, i.e. 20:00-22:00 UTC.
@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (at(2026, 3, 3, 19, 59), False),  # Tuesday
        (at(2026, 3, 3, 20, 0), True),
        (at(2026, 3, 3, 21, 30), True),  # past midnight in Moscow: still the Tuesday window
        (at(2026, 3, 3, 22, 0), False),
        (at(2026, 3, 4, 20, 30), False),  # Wednesday
        (at(2026, 3, 7, 20, 30), True),  # Saturday
    ],
)
def test_weekly_window_in_a_time_zone(acme, moment, active):
    window = _window(
        acme,
        recurrence="weekly",
        weekdays=[2, 6],
        start_time=time(23, 0),
        duration_minutes=120,
        time_zone="Europe/Moscow",
    )
    assert window_active(window, moment) is active


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        # 02:30 New York local on the first Sunday of the month, 30 minutes.
        (at(2026, 3, 1, 7, 29), False),  # EST: 02:30 local = 07:30 UTC
        (at(2026, 3, 1, 7, 45), True),
        (at(2026, 3, 1, 8, 0), False),
        (at(2026, 3, 8, 7, 45), False),  # not the first Sunday
    ],
)
def test_cron_window_in_a_time_zone(acme, moment, active):
    window = _window(
        acme,
        recurrence="cron",
        cron="30 2 1-7 * SUN",
        duration_minutes=30,
        time_zone="America/New_York",
    )
    assert window_active(window, moment) is active


def test_recurring_window_applies_only_between_its_bounds(acme):
    window = _window(
        acme,
        recurrence="weekly",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        start_time=time(0, 0),
        duration_minutes=60,
        starts_at=at(2026, 3, 5),
    )
    assert not window_active(window, at(2026, 3, 4, 0, 30))
    assert window_active(window, at(2026, 3, 5, 0, 30))


def test_in_maintenance_for_the_organisation_and_for_one_check(acme, globex):
    shop = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 80}, name="Shop")
    mail = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 25}, name="Mail")
    now = at(2026, 3, 2, 10, 30)
    _window(acme, check_ref=shop, starts_at=at(2026, 3, 2, 10), ends_at=at(2026, 3, 2, 11))
    assert in_maintenance(organization=acme, at=now, check=shop)
    assert not in_maintenance(organization=acme, at=now, check=mail)
    assert not in_maintenance(organization=acme, at=now)  # a check's window is not org-wide
    _window(acme, starts_at=at(2026, 3, 2, 10), ends_at=at(2026, 3, 2, 11))
    assert in_maintenance(organization=acme, at=now)
    assert in_maintenance(organization=acme, at=now, check=mail)
    assert not in_maintenance(organization=globex, at=now)


def test_upcoming_maintenance_lists_the_next_occurrences(acme):
    _window(acme, recurrence="weekly", weekdays=[1], start_time=time(6, 0), duration_minutes=30)
    _window(acme, starts_at=at(2026, 3, 3, 1), ends_at=at(2026, 3, 3, 2), is_public=False)
    found = upcoming_maintenance(organization=acme, now=at(2026, 3, 2, 7), days=14)
    assert [start for _w, start, _e in found] == [at(2026, 3, 9, 6), at(2026, 3, 16, 6)]
