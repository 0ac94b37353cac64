"""Short requests skip the per-request health check; a dead connection is retried once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

from dutydesk.core.connections import without_health_check


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_that_died_idle_runs_the_work_again_on_a_new_one(monkeypatch):
    connection.ensure_connection()
    calls = []

    def work():
        calls.append(connection.connection)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "done"

    close = connection.close
    monkeypatch.setattr(connection, "close", lambda: calls.append("closed") or close())
    assert without_health_check(work) == "done"
    assert calls[1] == "closed" and len(calls) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_after_a_statement_ran_is_not_retried():
    connection.ensure_connection()
    calls = []

    def work():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise OperationalError("the server went away mid-request")

    with pytest.raises(OperationalError):
        without_health_check(work)
    assert calls == [1]


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's in-memory test database never closes"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_is_not_retried():
    connection.close()
    calls = []

    def work():
        calls.append(1)
        raise OperationalError("could not connect")

    with pytest.raises(OperationalError):
        without_health_check(work)
    assert calls == [1]


@contextmanager
def health_checks_on() -> Iterator[list[int]]:
    """Health checks as on PostgreSQL (CONN_HEALTH_CHECKS), counted; the check is due."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    saved = wrapper.health_check_enabled, wrapper.health_check_done
    checks: list[int] = []
    wrapper.health_check_enabled, wrapper.health_check_done = True, False
    wrapper.is_usable = lambda: checks.append(1) or True
    try:
        yield checks
    finally:
        del wrapper.is_usable
        wrapper.health_check_enabled, wrapper.health_check_done = saved


@pytest.mark.django_db
def test_the_health_check_is_marked_done_on_a_reused_connection():
    with health_checks_on() as checks:
        assert without_health_check(lambda: connection.cursor().close()) is None
        assert checks == []
        connection.health_check_done = False
        connection.cursor().close()  # elsewhere the check runs
        assert checks == [1]
