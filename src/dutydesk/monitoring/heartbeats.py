"""Heartbeat pings (the hot path) and the sweep that notices missed ones."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dutydesk.monitoring.maintenance import any_active
from dutydesk.monitoring.models import Check, CheckResult, Kind, ResultStatus, State
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.schedule import heartbeat_deadline
from dutydesk.monitoring.services import results_record, rows_update, windows_by_organization
from dutydesk.monitoring.writes import results_insert

SIGNALS = ("success", "start", "fail")


def _table() -> tuple[str, dict[str, Any]]:
    meta = Check._meta
    return connection.ops.quote_name(meta.db_table), {f.name: f for f in meta.concrete_fields}


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _update(pk: int, changes: dict[str, Any]) -> None:
    table, fields = _table()
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(fields[name].column)} = %s" for name in changes)
    params = [fields[n].get_db_prep_save(v, connection) for n, v in changes.items()]
    with connection.cursor() as cursor:
        # Identifiers come from the model, values are parameters.
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*params, pk])  # noqa: S608


# PostgreSQL: a ping in one conditional UPDATE … RETURNING. Success matches only a
# heartbeat that is up, not paused and on a period, whose deadline SQL computes as
# ``heartbeat_deadline`` does (a missing, null or zero period is a day); any other ping
# matches no row and takes the general path. Start matches any heartbeat.
_PG_SUCCESS = """
    UPDATE {table} SET
        last_duration_ms = CASE WHEN last_start_at IS NOT NULL
            AND %(at)s - last_start_at < interval '1 day'
            THEN extract(epoch FROM %(at)s - last_start_at) * 1000 END,
        last_ping_at = %(at)s, last_start_at = NULL, last_run_at = %(at)s,
        last_ok = true, consecutive_failures = 0,
        next_due_at = %(at)s + interval '1 second' * (
            COALESCE(NULLIF((config->>'period_seconds')::bigint, 0), 86400)
            + COALESCE((config->>'grace_seconds')::bigint, 0))
    WHERE ping_key = %(key)s AND kind = 'heartbeat' AND state = 'up' AND NOT is_paused
        AND COALESCE(config->>'cron', '') = ''
    RETURNING id
"""
_PG_START = """
    UPDATE {table} SET last_start_at = %(at)s, last_ping_at = %(at)s
    WHERE ping_key = %(key)s AND kind = 'heartbeat' RETURNING id
"""


def _ping_pg(signal: str, key: object, at: datetime) -> bool:
    sql = _PG_SUCCESS if signal == "success" else _PG_START
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=_table()[0]), {"at": at, "key": key})
        return cursor.fetchone() is not None


def ping_record(*, key: uuid.UUID, signal: str = "success", at: datetime | None = None) -> bool:
    """Record a ping; False when no heartbeat has this key.

    A success ping of a check that is up costs one conditional UPDATE on PostgreSQL and
    two statements elsewhere (a SELECT by the unique key, an UPDATE by primary key), sent
    as plain SQL: the ORM's compiler was most of a ping's CPU. Only a /fail signal or a
    ping that ends an outage takes the full path through the state machine and the incident.
    """
    at = at or timezone.now()
    table, fields = _table()
    key_value = fields["ping_key"].get_db_prep_value(key, connection)
    if connection.vendor == "postgresql" and signal in ("success", "start"):
        if _ping_pg(signal, key_value, at):
            return True
        if signal == "start":
            return False  # a start matches every heartbeat: there is none with this key
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, state, config, last_start_at, is_paused FROM {table}"  # noqa: S608
            " WHERE ping_key = %s AND kind = %s",
            [key_value, Kind.HEARTBEAT.value],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    pk, state, config, last_start_at, is_paused = row
    if not isinstance(config, dict):
        config = json.loads(config)
    last_start_at = _aware(last_start_at)
    if signal == "start":
        _update(pk, {"last_start_at": at, "last_ping_at": at})
        return True
    duration = None
    if last_start_at is not None and at - last_start_at < timedelta(days=1):
        duration = (at - last_start_at).total_seconds() * 1000
    ok = signal == "success"
    changes: dict[str, Any] = {
        "last_ping_at": at,
        "last_start_at": None,
        "last_duration_ms": duration,
        "next_due_at": heartbeat_deadline(config, at),
    }
    if ok and state in (State.UP, State.UNKNOWN) and not is_paused:
        changes.update(last_ok=True, last_run_at=at, consecutive_failures=0)
        if state == State.UNKNOWN:
            changes.update(state=State.UP.value, state_since=at)
        _update(pk, changes)
        return True
    with transaction.atomic():
        check = Check.objects.select_for_update(of=("self",))
        check = check.select_related("organization", "incident")
        check = check.get(pk=pk)
        for name, value in changes.items():
            setattr(check, name, value)
        check.save(update_fields=list(changes))
    message = _("Ping received") if ok else _("The job reported a failure")
    results_record([(check, Outcome(ok, duration, message), at)], force_down=not ok)
    return True


def heartbeat_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Mark overdue heartbeats down (an incident each) and record one result per minute
    for every heartbeat, so that uptime bars cover heartbeats like any other check."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = list(
            Check.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organization", "incident")
            .filter(kind=Kind.HEARTBEAT, is_paused=False, next_due_at__lte=now)
            .exclude(state=State.DOWN)[:limit]
        )
        for check in overdue:
            # Not again until the next expected run has also been missed.
            check.next_due_at = heartbeat_deadline(check.config, now)
        rows_update(overdue, ["next_due_at"])
    message = _("No ping received in time")
    results_record([(c, Outcome(False, None, message), now) for c in overdue], force_down=True)
    _minute_results(now, exclude={c.pk for c in overdue})
    return len(overdue)


def _minute_results(now: datetime, exclude: set[int]) -> None:
    rows = list(
        Check.objects.filter(kind=Kind.HEARTBEAT, is_paused=False)
        .exclude(pk__in=exclude)
        .values_list("pk", "organization_id", "state")
    )
    windows = windows_by_organization(org for _pk, org, _s in rows)
    results = []
    for pk, org, state in rows:
        if any_active(windows.get(org, ()), now, pk):
            status = ResultStatus.MAINTENANCE
        elif state == State.DOWN:
            status = ResultStatus.DOWN
        elif state == State.UP:
            status = ResultStatus.UP
        else:
            continue
        results.append(
            CheckResult(check_ref_id=pk, at=now, status=status, ok=status != ResultStatus.DOWN)
        )
    with transaction.atomic():
        results_insert(results)
