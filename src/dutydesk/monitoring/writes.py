"""The runner's hot SQL: claims, result rows with their rollups, state updates, in batches.

Each function is one statement per batch (a few for very large batches) instead of one
per check; the ORM's per-row compile and prepare was most of the runner's CPU. Identifiers
come from the models, values are always parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Field, Model

from dutydesk.monitoring.models import Check, CheckResult, Kind, Resolution, Rollup

CHUNK = 500  # rows per statement: well under SQLite's and PostgreSQL's parameter limits


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _db(field: Field, value: object) -> object:
    return field.get_db_prep_save(value, connection)


def _chunks(rows: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def claim_batch(*, now: datetime, limit: int, exclude: set[int] | frozenset) -> list:
    """PostgreSQL: lock the due rows (SKIP LOCKED) and move them on in one UPDATE.

    Returns (check, scheduled instant) pairs, the earliest due first.
    """
    table = _qn(Check._meta.db_table)
    columns = ", ".join(f"c.{_qn(f.column)}" for f in Check._meta.concrete_fields)
    step = "c.interval_seconds * interval '1 second'"
    sql = f"""
        WITH due AS (
            SELECT id, next_run_at FROM {table}
            WHERE NOT is_paused AND next_run_at <= %s AND kind <> %s AND NOT (id = ANY(%s))
            ORDER BY next_run_at LIMIT %s
            FOR UPDATE SKIP LOCKED
        )
        UPDATE {table} AS c SET next_run_at = CASE
            WHEN due.next_run_at + {step} > %s THEN due.next_run_at + {step}
            ELSE %s + {step} END
        FROM due WHERE c.id = due.id
        RETURNING {columns}, due.next_run_at AS scheduled_at
    """  # noqa: S608
    params = [now, Kind.HEARTBEAT.value, list(exclude), limit, now, now]
    claimed = [(check, check.scheduled_at) for check in Check.objects.raw(sql, params)]
    claimed.sort(key=lambda pair: pair[1])
    return claimed


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _columns(model: type[Model], names: Sequence[str]) -> list[Field]:
    return [model._meta.get_field(name) for name in names]


def _insert(
    model: type[Model], fields: Sequence[Field], rows: Sequence[Sequence], suffix: str = ""
) -> None:
    """INSERT the rows (plain Python values, one per field); ``suffix``: an ON CONFLICT clause.

    PostgreSQL gets one array per column through ``unnest``: the statement's text stays the
    same whatever the batch size, so psycopg parses it once (a VALUES list of hundreds of
    placeholders cost more to parse, in Python, than the database spent on it).
    """
    table = _qn(model._meta.db_table)
    names = ", ".join(_qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if _pg():
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        for chunk in _chunks(rows):
            row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))}"  # noqa: S608
                f" {suffix}",
                [_db(f, value) for row in chunk for f, value in zip(fields, row, strict=True)],
            )


def state_update(checks: Sequence[Check], names: Sequence[str]) -> None:
    """Write the fields ``names`` of every check: one UPDATE … FROM unnest(…) on PostgreSQL,
    one prepared UPDATE run per check elsewhere. Rows go in key order (no deadlocks)."""
    if not checks:
        return
    fields = _columns(Check, names)
    ordered = sorted(checks, key=lambda c: c.pk)
    table = _qn(Check._meta.db_table)
    with connection.cursor() as cursor:
        if not _pg():
            assignments = ", ".join(f"{_qn(f.column)} = %s" for f in fields)
            rows = [[_db(f, getattr(c, f.attname)) for f in fields] + [c.pk] for c in ordered]
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608
            return
        arrays = ", ".join(["%s::bigint[]", *(f"%s::{f.db_type(connection)}[]" for f in fields)])
        names_sql = ", ".join(["id", *(_qn(f.column) for f in fields)])
        assignments = ", ".join(f"{_qn(f.column)} = v.{_qn(f.column)}" for f in fields)
        params = [[c.pk for c in ordered]]
        params += [[getattr(c, f.attname) for c in ordered] for f in fields]
        cursor.execute(
            f"UPDATE {table} AS c SET {assignments} FROM unnest({arrays})"  # noqa: S608
            f" AS v({names_sql}) WHERE c.id = v.id",
            params,
        )


RESULT_FIELDS = ("check_ref", "at", "status", "ok", "latency_ms", "message")


def results_insert(results: Sequence[CheckResult]) -> None:
    """Insert raw results and add them to their minute, hour and day rollups.

    Both happen in the caller's transaction, so a rollup counts a result exactly when the
    result exists; ``rollups.rollup_refresh`` recomputes the same figures from raw rows.
    """
    if not results:
        return
    fields = _columns(CheckResult, RESULT_FIELDS)
    _insert(CheckResult, fields, [[getattr(r, f.attname) for f in fields] for r in results])
    rollup_add(results)


ROLLUP_FIELDS = ("check_ref", "resolution", "bucket", "up", "down", "maintenance")
ROLLUP_FIELDS += ("latency_min", "latency_max", "latency_sum", "latency_count")
STATUSES = ("up", "down", "maintenance")  # ResultStatus values, in the counters' order
FLOORS = {
    Resolution.MINUTE: lambda at: at.replace(second=0, microsecond=0),
    Resolution.HOUR: lambda at: at.replace(minute=0, second=0, microsecond=0),
    Resolution.DAY: lambda at: at.replace(hour=0, minute=0, second=0, microsecond=0),
}


def rollup_add(results: Sequence[CheckResult]) -> None:
    """Add results to their buckets in one upsert (counts and sums add, min and max merge)."""
    buckets: dict[tuple[int, str, datetime], list] = {}
    for result in results:
        at = result.at.astimezone(UTC)
        latency = result.latency_ms
        for resolution, floor in FLOORS.items():
            key = (result.check_ref_id, resolution, floor(at))
            row = buckets.get(key)
            if row is None:
                row = buckets[key] = [0, 0, 0, None, None, 0.0, 0]
            row[STATUSES.index(result.status)] += 1
            if latency is not None:
                row[3] = latency if row[3] is None else min(row[3], latency)
                row[4] = latency if row[4] is None else max(row[4], latency)
                row[5] += latency
                row[6] += 1
    table = _qn(Rollup._meta.db_table)
    least, greatest = ("LEAST", "GREATEST") if _pg() else ("MIN", "MAX")

    def merged(column: str, how: str) -> str:
        old, new = f"{table}.{_qn(column)}", f"excluded.{_qn(column)}"
        if how == "sum":
            return f"{_qn(column)} = {old} + {new}"
        function = least if how == "min" else greatest
        return f"{_qn(column)} = COALESCE({function}({old}, {new}), {old}, {new})"

    sums = ("up", "down", "maintenance", "latency_sum", "latency_count")
    updates = ", ".join(
        [merged(c, "sum") for c in sums]
        + [merged("latency_min", "min"), merged("latency_max", "max")]
    )
    fields = _columns(Rollup, ROLLUP_FIELDS)
    rows = [[*key, *row] for key, row in sorted(buckets.items())]  # key order, as any writer
    _insert(
        Rollup,
        fields,
        rows,
        f"ON CONFLICT (check_ref_id, resolution, bucket) DO UPDATE SET {updates}",
    )
