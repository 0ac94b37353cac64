"""The runner end to end: claiming, probing real servers, state, incidents, maintenance."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from dutydesk.monitoring import incidents
from dutydesk.monitoring.models import Check, CheckResult, MaintenanceWindow, State, StateChange
from dutydesk.monitoring.runner import Runner, claim_due, run_once
from dutydesk.monitoring.tasks import monitoring_runner_task, runner_slot
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.monitoring.tests.servers import http_server
from dutydesk.tickets.models import Direction, Status, Ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def site():
    """A site whose /health answers what the test sets in ``site.status``."""

    class Site:
        status = 200

    def route(path):
        if path == "/slow":
            return 200, {}, b"slow", 2.0
        return Site.status, {}, b"ok" if Site.status == 200 else b"down", 0

    with http_server(route) as url:
        Site.url = url
        yield Site


def _run(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return run_once(now=at)


def _check(acme, site, **fields):
    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        return make_check(
            acme, "http", {"url": site.url + "/health"}, name="Shop", interval_seconds=60, **fields
        )


def test_only_due_checks_are_claimed_and_moved_one_interval_on(acme, site):
    check = _check(acme, site)
    assert claim_due(now=T0 - timedelta(seconds=20), limit=10) == []
    [(claimed, scheduled)] = claim_due(now=T0, limit=10)
    check.refresh_from_db()
    assert claimed.pk == check.pk
    assert check.next_run_at == scheduled + timedelta(seconds=60)
    assert claim_due(now=T0, limit=10) == []  # claimed already


def test_a_runner_far_behind_skips_missed_runs(acme, site):
    check = _check(acme, site)
    claim_due(now=T0 + timedelta(hours=1), limit=10)
    check.refresh_from_db()
    assert check.next_run_at == T0 + timedelta(hours=1, seconds=60)


def test_outage_opens_one_incident_and_recovery_resolves_it(acme, site):
    check = _check(acme, site, alert_after=2, priority="P1")
    assert _run(T0) == 1
    check.refresh_from_db()
    assert check.state == State.UP
    site.status = 503
    _run(T0 + timedelta(minutes=1))
    check.refresh_from_db()
    assert check.state == State.UP and check.consecutive_failures == 1  # one failure: no alert
    assert not Ticket.objects.exists()
    _run(T0 + timedelta(minutes=2))
    _run(T0 + timedelta(minutes=3))
    check.refresh_from_db()
    assert check.state == State.DOWN
    ticket = Ticket.objects.get()
    assert ticket.channel == "monitoring" and ticket.priority == "P1"
    assert ticket.organization == acme and "Shop is down" in ticket.subject
    assert "Unexpected status 503" in ticket.messages.get().body_text
    assert check.incident == ticket

    site.status = 200
    _run(T0 + timedelta(minutes=4))
    check.refresh_from_db()
    ticket.refresh_from_db()
    assert check.state == State.UP
    assert ticket.status == Status.RESOLVED
    note = ticket.messages.last()
    assert "after 3 min 0 s of downtime" in note.body_text
    assert note.direction == Direction.INBOUND and note.channel == "monitoring"
    changes = list(StateChange.objects.order_by("at").values_list("old", "new"))
    assert changes == [("unknown", "up"), ("up", "down"), ("down", "up")]
    assert CheckResult.objects.count() == 5


def test_flapping_threads_into_the_same_incident(acme, site):
    check = _check(acme, site, alert_after=1)
    site.status = 500
    _run(T0)
    site.status = 200
    _run(T0 + timedelta(minutes=1))
    site.status = 500
    _run(T0 + timedelta(minutes=2))
    ticket = Ticket.objects.get()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1
    assert ticket.messages.count() == 3  # down, up, down again
    site.status = 200
    _run(T0 + timedelta(minutes=3))
    # Long after the flap window, a new outage is a new incident.
    check.refresh_from_db()
    check.next_run_at = T0 + timedelta(hours=5)
    check.save()
    site.status = 500
    _run(T0 + timedelta(hours=5))
    assert Ticket.objects.count() == 2


def test_without_resolve_on_recovery_the_incident_stays_open_with_a_note(acme, site):
    _check(acme, site, alert_after=1, resolve_on_recovery=False)
    site.status = 500
    _run(T0)
    site.status = 200
    _run(T0 + timedelta(minutes=1))
    ticket = Ticket.objects.get()
    assert ticket.status in (Status.NEW, Status.OPEN)
    assert "up again" in ticket.messages.last().body_text


def test_one_slow_check_does_not_hold_up_the_others(acme, site):
    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        slow = [
            make_check(
                acme, "http", {"url": site.url + "/slow"}, name=f"Slow {n}", timeout_seconds=1
            )
            for n in range(8)
        ]
        fast = make_check(acme, "http", {"url": site.url + "/health"}, name="Fast")
    started = time.monotonic()
    run_once(now=T0)
    # One after the other, eight 1-second timeouts would take 8 s; side by side about 1.
    assert time.monotonic() - started < 6
    for check in slow:
        check.refresh_from_db()
        assert check.last_ok is False and check.last_message == "Timed out"
    fast.refresh_from_db()
    assert fast.state == State.UP and fast.last_latency_ms < 1000


def test_maintenance_records_results_but_opens_no_incident(acme, site):
    check = _check(acme, site, alert_after=1)
    MaintenanceWindow.objects.create(
        organization=acme,
        check_ref=check,
        title="Upgrade",
        starts_at=T0 - timedelta(minutes=5),
        ends_at=T0 + timedelta(minutes=30),
    )
    site.status = 500
    _run(T0)
    check.refresh_from_db()
    assert check.state == State.MAINTENANCE
    assert CheckResult.objects.get().status == "maintenance"
    assert not Ticket.objects.exists()
    # Still failing once the window has closed: now it is an outage.
    check.next_run_at = T0 + timedelta(minutes=31)
    check.save()
    _run(T0 + timedelta(minutes=31))
    check.refresh_from_db()
    assert check.state == State.DOWN and Ticket.objects.count() == 1


def test_paused_checks_are_not_run(acme, site):
    _check(acme, site, is_paused=True)
    assert _run(T0) == 0
    assert Check.objects.get().last_run_at is None


def test_the_long_running_runner_probes_and_records(acme, site):
    with time_machine.travel(T0, tick=True):
        check = make_check(acme, "http", {"url": site.url + "/health"}, interval_seconds=10)
        check.next_run_at = T0
        check.save()
        stats = Runner(keep_drift=True).run_for(1.0)
    check.refresh_from_db()
    assert stats.completed == 1 and check.state == State.UP
    assert len(stats.drift_ms) == 1  # the benchmark reads these


def test_an_opened_incident_calls_the_paging_hook(
    acme, site, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(incidents, "incident_opened", lambda **kwargs: calls.append(kwargs))
    _check(acme, site, alert_after=1)
    site.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        _run(T0)
    [call] = calls
    assert call["ticket"] == Ticket.objects.get() and "503" not in call["reason"]


@pytest.mark.parametrize(
    ("now", "lock", "seconds"),
    [
        (datetime(2026, 3, 2, 9, 0, 0, 400000, tzinfo=UTC), "monitoring-runner-0", 64.6),
        (datetime(2026, 3, 2, 9, 1, 30, tzinfo=UTC), "monitoring-runner-1", 35.0),
    ],
)
def test_the_runner_task_overlaps_the_next_minute_with_the_other_lock(now, lock, seconds):
    assert runner_slot(now) == (lock, pytest.approx(seconds))


def test_a_runner_task_whose_lock_is_held_does_nothing(acme, site):
    _check(acme, site)
    lock, _seconds = runner_slot(T0)
    with time_machine.travel(T0, tick=False), HUEY.lock_task(lock):
        assert monitoring_runner_task.call_local() == 0
    assert CheckResult.objects.count() == 0
