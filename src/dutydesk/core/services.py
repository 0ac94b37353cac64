"""Writes of the shared kernel: audit and access records, counters, the worker heartbeat."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from dutydesk.core.context import client_ip
from dutydesk.core.models import AccessLog, AuditLog, Counter, WorkerHeartbeat


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value for the audit trail."""
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    organization: Any = None,
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        organization=organization,
        changes={k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()},
        ip=client_ip.get(),
    )


def access_record(*, user: Any, obj: models.Model, via: str) -> AccessLog:
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        via=via,
        ip=client_ip.get(),
    )


def counter_next(name: str) -> int:
    """The next value of a named counter; call inside the transaction that uses it.

    On PostgreSQL it is a sequence: no lock is held until commit, so concurrent ticket
    creation does not queue behind one row, and a rolled-back transaction leaves a gap.
    On SQLite, where one transaction writes at a time anyway, it is a counter row
    advanced under the write lock, and gap-free.
    """
    if connection.vendor == "postgresql":
        return _sequence_next(name)
    if connection.features.can_return_columns_from_insert:  # SQLite 3.35+: one statement
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_counter SET value = value + 1 WHERE name = %s RETURNING value",
                [name],
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0]
    if not Counter.objects.filter(name=name).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                Counter.objects.create(name=name, value=1)
            return 1
        except IntegrityError:  # another transaction created it first
            Counter.objects.filter(name=name).update(value=F("value") + 1)
    return Counter.objects.values_list("value", flat=True).get(name=name)


def sequence_name(counter: str) -> str:
    if not counter.replace("_", "").isalnum():
        raise ValueError(f"bad counter name {counter!r}")
    return f"dutydesk_{counter}_seq"


def _sequence_next(name: str) -> int:
    sequence = sequence_name(name)
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SELECT nextval(%s)", [sequence])
        except ProgrammingError:  # first use of a counter no migration created
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence}")
            cursor.execute("SELECT nextval(%s)", [sequence])
        return cursor.fetchone()[0]


def heartbeat_record(name: str) -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def database_analyze() -> bool:
    """Refresh SQLite's planner statistics; PostgreSQL's autovacuum does this by itself.

    Without statistics SQLite sorts a whole team queue to show its first page.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
