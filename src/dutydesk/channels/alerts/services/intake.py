"""One request to an intake URL: parse, apply in one transaction, log, answer.

The answer is given only after the transaction committed, so a source that got 2xx can
forget the notification; a malformed one changes nothing but its log row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.channels.alerts.models import Alert, IntakeLog, IntakeStatus, Integration
from dutydesk.channels.alerts.parsers import (
    ParsedAlert,
    ParseError,
    Parser,
    alertmanager,
    generic,
    grafana,
    pagerduty,
    zabbix,
)
from dutydesk.channels.alerts.services.incidents import alerts_apply, repeats_only
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import TicketError
from dutydesk.tickets.models import Ticket

PARSERS: dict[str, Parser] = {
    "alertmanager": alertmanager.parse,
    "grafana": grafana.parse,
    "zabbix": zabbix.parse,
    "pagerduty": pagerduty.parse,
    "generic": generic.parse,
}
MAX_BODY_BYTES = 1024 * 1024  # Alertmanager groups of ~1000 alerts; PagerDuty allows 512 KB
KEPT_BODY_CHARS = 200_000
ATTEMPTS = 3  # a unique row that a concurrent request inserted first: run again


@dataclass
class IntakeResult:
    status: str
    reason: str
    log: IntakeLog
    alerts: list[ParsedAlert] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)


def intake_receive(
    *, integration: Integration, body: bytes, remote_addr: str | None = None
) -> IntakeResult:
    """Accept one request for ``integration``: everything it changes commits together."""
    try:
        alerts = PARSERS[integration.kind](body)
    except ParseError as exc:
        return _reject(integration, body, str(exc), remote_addr)
    now = timezone.now()
    if (repeats := repeats_only(integration=integration, alerts=alerts, now=now)) is not None:
        log = _log_repeats(integration, repeats, len(alerts), now, remote_addr)
        return IntakeResult(IntakeStatus.DUPLICATE, "", log, alerts, [])
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic(durable=True):
                applied = alerts_apply(
                    integration=integration,
                    alerts=alerts,
                    now=timezone.now(),
                    repeats_checked=attempt == 0,
                )
                status = IntakeStatus.ACCEPTED if applied.changed else IntakeStatus.DUPLICATE
                log = IntakeLog.objects.create(
                    integration=integration,
                    status=status,
                    reason="; ".join(applied.notes)[:2000],
                    alert_count=len(alerts),
                    ticket=applied.tickets[0] if applied.tickets else None,
                    remote_addr=remote_addr,
                )
            return IntakeResult(status, log.reason, log, alerts, applied.tickets)
        except TicketError as exc:
            # The incident could not be placed (an inactive client, a refused change).
            reason = "; ".join([exc.message, *(f"{k}: {v}" for k, v in exc.errors.items())])
            return _reject(integration, body, reason, remote_addr)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


_REPEATS_SQL = """
    WITH counted AS (
        UPDATE {alerts} SET notification_count = notification_count + 1, last_seen_at = %s
        WHERE id = ANY(%s)
    )
    INSERT INTO {log} (received_at, integration_id, status, reason, alert_count, ticket_id,
                       body, remote_addr, reprocessed_at)
    VALUES (%s, %s, %s, '', %s, NULL, '', %s, NULL)
    RETURNING id
"""
_COUNT_SQL = """
    UPDATE {alerts} SET notification_count = notification_count + 1, last_seen_at = %s
    WHERE id IN ({marks})
"""
_LOG_SQL = """
    INSERT INTO {log} (received_at, integration_id, status, reason, alert_count, ticket_id,
                       body, remote_addr, reprocessed_at)
    VALUES (%s, %s, %s, '', %s, NULL, '', %s, NULL)
    RETURNING id
"""


def _log_repeats(
    integration: Integration, ids: list[int], count: int, now: datetime, remote_addr: str | None
) -> IntakeLog:
    """A request of repeats only (the HA and repeat_interval case) adds to the alerts'
    counters and logs itself. PostgreSQL: in one statement, atomic without BEGIN/COMMIT
    round trips; SQLite: both statements in a transaction. SQL written out: the ORM's
    update and insert cost more CPU than running them. The answer is sent after it
    committed, as on the general path."""
    log = IntakeLog(
        received_at=now,
        integration=integration,
        status=IntakeStatus.DUPLICATE,
        alert_count=count,
        remote_addr=remote_addr,
    )
    names = {
        "alerts": connection.ops.quote_name(Alert._meta.db_table),
        "log": connection.ops.quote_name(IntakeLog._meta.db_table),
        "marks": ", ".join(["%s"] * len(ids)),
    }
    at = connection.ops.adapt_datetimefield_value(now)
    logged = [at, integration.pk, log.status, count, remote_addr]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_REPEATS_SQL.format(**names), [at, ids, *logged])
            log.pk = cursor.fetchone()[0]
    else:
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(_COUNT_SQL.format(**names), [at, *ids])
            cursor.execute(_LOG_SQL.format(**names), logged)
            log.pk = cursor.fetchone()[0]
    log._state.adding = False
    return log


def _reject(
    integration: Integration, body: bytes, reason: str, remote_addr: str | None
) -> IntakeResult:
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    log = IntakeLog.objects.create(
        integration=integration,
        status=IntakeStatus.REJECTED,
        reason=reason[:2000],
        body=text[:KEPT_BODY_CHARS],
        remote_addr=remote_addr,
    )
    return IntakeResult(IntakeStatus.REJECTED, reason, log)


def intake_reprocess(*, log: IntakeLog, by: User | None) -> IntakeResult:
    """Run a rejected request again (after its integration or client was fixed)."""
    if log.status != IntakeStatus.REJECTED:
        raise ValueError(_("Only rejected requests can be re-processed."))
    result = intake_receive(
        integration=log.integration, body=log.body.encode(), remote_addr=log.remote_addr
    )
    IntakeLog.objects.filter(pk=log.pk).update(reprocessed_at=timezone.now())
    audit_record(
        actor=by,
        action="alert_intake.reprocessed",
        obj=log,
        changes={"status": (log.status, result.status)},
        organization=log.integration.organization,
    )
    return result
