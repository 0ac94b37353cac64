"""The runner's batched writes: rollups added with the results, and nothing lost on a crash."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection

from dutydesk.monitoring.models import Check, CheckResult, Rollup, State
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.rollups import rollup_refresh
from dutydesk.monitoring.runner import Runner, claim_due
from dutydesk.monitoring.services import results_record
from dutydesk.monitoring.tests.factories import make_check

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 59, 50, tzinfo=UTC)


def _checks(acme, n=3):
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        return [
            make_check(acme, "tcp", {"host": "127.0.0.1", "port": 1}, name=f"c{i}", alert_after=2)
            for i in range(n)
        ]


def _rollups() -> dict:
    fields = ["check_ref_id", "resolution", "bucket", "up", "down", "maintenance"]
    fields += ["latency_min", "latency_max", "latency_sum", "latency_count"]
    return {
        (r[0], r[1], r[2]): r[3:]
        for r in Rollup.objects.values_list(*fields).order_by("check_ref_id", "bucket")
    }


def test_recorded_results_are_in_their_rollups_as_a_refresh_would_count_them(acme):
    checks = _checks(acme)
    # Batches across a minute, an hour and a day boundary, with and without latency.
    for step in range(8):
        at = NOW + timedelta(seconds=7 * step)
        batch = [
            (check, Outcome(step % 3 != 0, None if step == 5 else 10.0 + step + i, "x"), at)
            for i, check in enumerate(checks)
        ]
        results_record(batch)
    added = _rollups()
    assert CheckResult.objects.count() == 24
    assert {key[1] for key in added} == {"m", "h", "d"}
    minute = added[(checks[0].pk, "m", NOW.replace(second=0))]
    assert minute[:3] == (1, 1, 0)  # :50 failed, :57 passed
    rollup_refresh(now=NOW + timedelta(minutes=1))
    assert _rollups() == added


def test_a_failed_batch_writes_nothing_and_leaves_the_checks_as_they_were(acme):
    checks = _checks(acme)
    batch = [(check, Outcome(False, 5, "refused"), NOW) for check in checks]
    with (
        mock.patch("dutydesk.monitoring.services.StateChange.objects.bulk_create") as crash,
        pytest.raises(RuntimeError),
    ):
        crash.side_effect = RuntimeError("connection lost")
        results_record(batch)
    assert CheckResult.objects.count() == 0
    assert Rollup.objects.count() == 0
    for check in checks:
        assert check.consecutive_failures == 0 and check.last_run_at is None
        check.refresh_from_db()
        assert check.consecutive_failures == 0 and check.state == State.UNKNOWN
    # Written again, each failure counts once.
    results_record(batch)
    results_record(
        [(check, Outcome(False, 5, "refused"), NOW + timedelta(seconds=60)) for check in checks]
    )
    for check in Check.objects.all():
        assert check.consecutive_failures == 2 and check.state == State.DOWN
    assert CheckResult.objects.count() == 6


def test_the_runner_keeps_a_batch_it_could_not_write_and_writes_it_later(acme):
    checks = _checks(acme, n=2)
    claimed = claim_due(now=NOW, limit=10)
    assert len(claimed) == 2
    runner = Runner(keep_drift=True)
    pending = []
    for check, scheduled in claimed:
        runner._in_flight.add(check.pk)
        pending.append((check, Outcome(True, 3, "Port 1 open"), scheduled, scheduled))
    with mock.patch(
        "dutydesk.monitoring.runner.results_record", side_effect=RuntimeError("database restart")
    ):
        kept = runner._write(pending)
    assert kept == pending and runner.stats.completed == 0 and runner.stats.write_failures == 1
    assert runner._in_flight == {c.pk for c in checks}  # not claimed again meanwhile
    assert claim_due(now=NOW + timedelta(seconds=1), limit=10, exclude=runner._in_flight) == []
    assert runner._write(kept) == []
    assert runner.stats.completed == 2 and runner._in_flight == set()
    assert CheckResult.objects.filter(ok=True).count() == 2
    assert sum(r.up for r in Rollup.objects.filter(resolution="d")) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two sessions need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runners_claiming_at_once_never_take_the_same_check(acme):
    import threading

    from django.db import connections

    _checks(acme, n=40)
    taken: list[list[int]] = []
    barrier = threading.Barrier(2)

    def claim() -> None:
        try:
            barrier.wait()
            taken.append([c.pk for c, _s in claim_due(now=NOW, limit=25)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = taken
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40
