"""Heartbeats: the ping URL, run duration, missed pings (seed 001: the backup) and cron."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client

from dutydesk.monitoring import wsgi as fast_path
from dutydesk.monitoring.heartbeats import heartbeat_sweep
from dutydesk.monitoring.models import Check, CheckResult, MaintenanceWindow, State
from dutydesk.monitoring.schedule import heartbeat_deadline
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.monitoring.wsgi import with_ping_fast_path
from dutydesk.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def backup(acme):
    with time_machine.travel(T0, tick=False):
        return make_check(
            acme,
            "heartbeat",
            {"period_seconds": 86400, "grace_seconds": 3600},
            name="Nightly backup",
            alert_after=1,
        )


def _ping(check, suffix="", method="get", at=None):
    with time_machine.travel(at or T0, tick=False):
        return getattr(Client(), method)(f"/ping/{check.ping_key}{suffix}")


def test_a_new_heartbeat_is_due_after_period_and_grace(backup):
    assert backup.next_due_at == T0 + timedelta(days=1, hours=1)
    assert backup.next_run_at is None


@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_a_ping_marks_the_heartbeat_up_and_moves_its_deadline(backup, method):
    at = T0 + timedelta(hours=3)
    response = _ping(backup, method=method, at=at)
    assert response.status_code == 200
    backup.refresh_from_db()
    assert backup.state == State.UP and backup.last_ping_at == at
    assert backup.next_due_at == at + timedelta(days=1, hours=1)


def test_a_ping_of_an_up_heartbeat_costs_one_statement_on_postgresql(
    backup, django_assert_num_queries
):
    _ping(backup)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert _ping(backup, at=T0 + timedelta(hours=1)).status_code == 200
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert _ping(backup, "/start", at=T0 + timedelta(hours=2)).status_code == 200


@pytest.mark.parametrize(
    "config",
    [
        {"period_seconds": 3600, "grace_seconds": 600},
        {"period_seconds": None, "grace_seconds": 60},
        {"period_seconds": 0, "grace_seconds": 0},
        {
            "period_seconds": 7200,
            "grace_seconds": 0,
            "cron": "0 3 * * *",
            "time_zone": "Europe/Moscow",
        },
        {"period_seconds": 900, "grace_seconds": 30, "cron": "", "time_zone": "UTC"},
    ],
)
def test_the_one_statement_ping_moves_the_deadline_as_the_schedule_says(acme, config):
    with time_machine.travel(T0, tick=False):
        check = make_check(acme, "heartbeat", {"period_seconds": 3600}, name="Job")
    # Stored as given (older rows may hold what the form no longer accepts).
    Check.objects.filter(pk=check.pk).update(state=State.UP, config=config)
    at = T0 + timedelta(minutes=7, seconds=30)
    _ping(check, "/start", at=at - timedelta(seconds=90))
    assert _ping(check, at=at).status_code == 200
    check.refresh_from_db()
    assert check.next_due_at == heartbeat_deadline(check.config, at)
    assert (check.last_ping_at, check.last_run_at, check.last_ok) == (at, at, True)
    assert check.last_duration_ms == 90_000 and check.last_start_at is None
    assert check.state == State.UP and check.consecutive_failures == 0


def test_an_unknown_key_is_a_404(db):
    response = Client().get("/ping/6f1c7b1e-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert Client().get("/ping/not-a-uuid").status_code == 404
    assert Client().put("/ping/6f1c7b1e-0000-4000-8000-000000000000").status_code == 405


def test_start_then_success_records_the_run_duration(backup):
    _ping(backup, "/start", at=T0)
    _ping(backup, at=T0 + timedelta(minutes=12))
    backup.refresh_from_db()
    assert backup.last_duration_ms == 12 * 60 * 1000
    assert backup.last_start_at is None


def test_a_missed_backup_opens_an_incident_and_a_late_ping_closes_it(backup):
    _ping(backup, at=T0)
    with time_machine.travel(T0 + timedelta(days=1, minutes=59), tick=False):
        assert heartbeat_sweep() == 0  # still within the grace time
    with time_machine.travel(T0 + timedelta(days=1, hours=1, minutes=1), tick=False):
        assert heartbeat_sweep() == 1
        assert heartbeat_sweep() == 0  # one incident per miss, not one per sweep
    backup.refresh_from_db()
    assert backup.state == State.DOWN
    ticket = Ticket.objects.get()
    assert "Nightly backup is down" in ticket.subject
    assert "No ping received in time" in ticket.messages.get().body_text

    _ping(backup, at=T0 + timedelta(days=1, hours=2))
    backup.refresh_from_db()
    ticket.refresh_from_db()
    assert backup.state == State.UP
    assert ticket.status == Status.RESOLVED
    assert "up again" in ticket.messages.last().body_text


def test_a_fail_signal_opens_an_incident_at_once(backup):
    response = _ping(backup, "/fail", method="post")
    assert response.status_code == 200
    backup.refresh_from_db()
    assert backup.state == State.DOWN
    assert "reported a failure" in Ticket.objects.get().messages.get().body_text


def test_a_missed_heartbeat_in_maintenance_opens_nothing(backup):
    MaintenanceWindow.objects.create(
        organization=backup.organization,
        title="Storage migration",
        starts_at=T0 + timedelta(hours=20),
        ends_at=T0 + timedelta(days=2),
    )
    with time_machine.travel(T0 + timedelta(days=1, hours=2), tick=False):
        heartbeat_sweep()
    backup.refresh_from_db()
    assert backup.state == State.MAINTENANCE
    assert not Ticket.objects.exists()
    assert set(CheckResult.objects.values_list("status", flat=True)) == {"maintenance"}


def test_a_cron_heartbeat_is_due_at_the_next_fire_in_its_time_zone(acme):
    with time_machine.travel(T0, tick=False):  # 05:00 in Moscow
        check = make_check(
            acme,
            "heartbeat",
            {"cron": "30 3 * * *", "time_zone": "Europe/Moscow", "grace_seconds": 600},
        )
    # 03:30 Moscow is 00:30 UTC, on the next day.
    assert check.next_due_at == datetime(2026, 3, 3, 0, 40, tzinfo=UTC)


def test_the_sweep_records_a_result_a_minute_for_uptime_bars(backup):
    _ping(backup)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        heartbeat_sweep()
    assert list(CheckResult.objects.values_list("status", flat=True)) == ["up"]
    assert Check.objects.get().state == State.UP


def _call(app, path, method="GET"):
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method}
    body = b"".join(app(environ, start_response))
    return answer.get("status"), body


def test_the_wsgi_fast_path_answers_pings_and_passes_the_rest_on(backup, monkeypatch):
    # Between requests the fast path closes stale connections; here that would close
    # the test's own transaction.
    monkeypatch.setattr(fast_path, "close_old_connections", lambda: None)

    def django(environ, start_response):
        start_response("299 Django", [])
        return [b"django"]

    app = with_ping_fast_path(django)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert _call(app, f"/ping/{backup.ping_key}") == ("200 OK", b"OK\n")
    assert _call(app, f"/ping/{backup.ping_key}/start", "HEAD") == ("200 OK", b"")
    assert _call(app, "/ping/6f1c7b1e-0000-4000-8000-000000000000")[0] == "404 Not Found"
    assert _call(app, "/ping/not-a-key") == ("299 Django", b"django")
    assert _call(app, f"/ping/{backup.ping_key}", "PUT") == ("299 Django", b"django")
    assert _call(app, "/status/acme") == ("299 Django", b"django")
    backup.refresh_from_db()
    assert backup.last_ping_at is not None and backup.last_start_at is not None
    assert backup.state == State.UP


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ping_on_a_connection_that_died_idle_runs_again_on_a_new_one(monkeypatch):
    calls = []

    def ping_record(*, key, signal, at):
        calls.append((connection.connection, at))
        if sum(call != "closed" for call in calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr("dutydesk.monitoring.heartbeats.ping_record", ping_record)
    connection.ensure_connection()
    close = connection.close
    monkeypatch.setattr(connection, "close", lambda: calls.append("closed") or close())
    key = "6f1c7b1e-0000-4000-8000-000000000000"
    assert _call(with_ping_fast_path(None), f"/ping/{key}") == ("200 OK", b"OK\n")
    pings = [i for i, call in enumerate(calls) if call != "closed"]
    assert len(pings) == 2
    assert "closed" in calls[pings[0] : pings[1]]  # a new connection for the retry
    assert calls[pings[0]][1] == calls[pings[1]][1]  # the same ping, not a second one


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_after_a_statement_ran_is_not_retried(monkeypatch):
    def ping_record(*, key, signal, at):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise OperationalError("the server went away mid-ping")

    monkeypatch.setattr("dutydesk.monitoring.heartbeats.ping_record", ping_record)
    connection.ensure_connection()
    with pytest.raises(OperationalError):
        _call(with_ping_fast_path(None), "/ping/6f1c7b1e-0000-4000-8000-000000000000")
