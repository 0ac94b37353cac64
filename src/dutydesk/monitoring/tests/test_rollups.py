from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dutydesk.monitoring.models import CheckResult, Resolution, Rollup
from dutydesk.monitoring.rollups import rollup_prune, rollup_refresh
from dutydesk.monitoring.tests.factories import make_check

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 30, 30, tzinfo=UTC)


def _result(check, at, status, latency):
    CheckResult.objects.create(
        check_ref=check, at=at, status=status, ok=status != "down", latency_ms=latency
    )


def test_results_roll_up_into_minute_hour_and_day_buckets(acme):
    check = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 1})
    _result(check, NOW - timedelta(seconds=20), "up", 10)
    _result(check, NOW - timedelta(seconds=10), "down", 30)
    _result(check, NOW - timedelta(minutes=1), "maintenance", None)
    rollup_refresh(now=NOW)
    rollup_refresh(now=NOW)  # idempotent
    minute = Rollup.objects.get(resolution=Resolution.MINUTE, bucket=NOW.replace(second=0))
    assert (minute.up, minute.down, minute.maintenance) == (1, 1, 0)
    assert (minute.latency_min, minute.latency_avg, minute.latency_max) == (10, 20, 30)
    hour = Rollup.objects.get(resolution=Resolution.HOUR)
    day = Rollup.objects.get(resolution=Resolution.DAY)
    for bucket in (hour, day):
        assert (bucket.up, bucket.down, bucket.maintenance) == (1, 1, 1)
        assert bucket.uptime == 0.5
    assert day.bucket == datetime(2026, 3, 2, tzinfo=UTC)


def test_pruning_keeps_the_database_bounded(acme):
    check = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 1})
    old = NOW - timedelta(days=3)
    _result(check, old, "up", 1)
    rollup_refresh(now=old + timedelta(seconds=30))
    with time_machine.travel(NOW, tick=False):
        _result(check, NOW, "up", 1)
        rollup_refresh(now=NOW)
        deleted = rollup_prune()
    assert deleted["results"] == 1 and deleted["minutes"] == 1
    assert deleted["hours"] == 0 and deleted["days"] == 0
    assert CheckResult.objects.count() == 1
    assert set(Rollup.objects.values_list("resolution", flat=True)) == {"m", "h", "d"}
