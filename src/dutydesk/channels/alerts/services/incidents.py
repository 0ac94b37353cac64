"""What an alert does to incidents: open or thread, resolve or note, acknowledge.

Runs inside the intake transaction. Each alert group's row is locked first (in key
order, so two requests never deadlock), which makes "is this alert new?" and "which
incident is open for the group?" safe against concurrent and HA-duplicate deliveries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, User
from dutydesk.accounts.services import system_agent
from dutydesk.channels.alerts import hooks
from dutydesk.channels.alerts.models import (
    Alert,
    AlertGroup,
    AlertStatus,
    Integration,
    OnResolve,
)
from dutydesk.channels.alerts.parsers import ACKNOWLEDGED, FIRING, RESOLVED, ParsedAlert
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import (
    ACTIVE_STATUSES,
    Channel,
    Priority,
    Status,
    Ticket,
    TicketType,
)
from dutydesk.tickets.services.actions import ticket_reply, ticket_update
from dutydesk.tickets.services.ingest import ingest

# Addresses of the system's own accounts; ".invalid" can never receive mail.
SYSTEM_DOMAIN = "alerts.dutydesk.invalid"
AGENT_EMAIL = f"alert-intake@{SYSTEM_DOMAIN}"
PAGED_PRIORITIES = (Priority.P1, Priority.P2)


@dataclass
class Applied:
    """What one request changed; ``changed == 0`` makes it a duplicate."""

    changed: int = 0
    unchanged: int = 0
    tickets: list[Ticket] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def touched(self, ticket: Ticket | None, note: str) -> None:
        self.changed += 1
        self.notes.append(note)
        if ticket is not None and all(t.pk != ticket.pk for t in self.tickets):
            self.tickets.append(ticket)


def sender_email(organization: Organization) -> str:
    """The contact alerts of an organisation come from (created by ingest on first use)."""
    return f"monitoring+{organization.pk}@{SYSTEM_DOMAIN}"


def intake_agent() -> User:
    """The staff account that notes and resolves incidents for the sources (cannot sign in)."""
    return system_agent(email=AGENT_EMAIL, name="Alert intake")


def incident_page(*, ticket: Ticket, reason: str) -> None:
    """A P1/P2 incident opened (or came back): page the on-call through the wired hook."""
    if ticket.priority in PAGED_PRIORITIES:
        hooks.page_open(ticket=ticket, reason=reason, team=ticket.team)


def alerts_apply(
    *,
    integration: Integration,
    alerts: list[ParsedAlert],
    now: datetime,
    repeats_checked: bool = False,
) -> Applied:
    """Apply one request's alerts; a request of repeats only takes no lock at all.

    ``repeats_checked``: the caller found just now that they are not all repeats (the
    locked path below still treats any that became repeats since as repeats)."""
    repeats = (
        None if repeats_checked else repeats_only(integration=integration, alerts=alerts, now=now)
    )
    if repeats is not None:
        _count_repeats(repeats, now)
        return Applied(unchanged=len(alerts))
    applied = Applied()
    by_group: dict[str, list[ParsedAlert]] = defaultdict(list)
    for item in alerts:
        by_group[item.group].append(item)
    for key in sorted(by_group):
        group = _group_locked(integration, key)
        items = by_group[key]
        known = {a.identity: a for a in _known(integration, items)}
        repeats = []
        for item in items:
            alert = known.get(item.identity)
            change = _change(integration, alert, item, now)
            if change is None:
                if alert is not None:
                    repeats.append(alert.pk)
                applied.unchanged += 1
            elif alert is None:
                known[item.identity] = _create(integration, group, item, now, applied)
            else:
                _apply(change, integration, group, alert, item, now, applied)
        _count_repeats(repeats, now)
    return applied


def _known(integration: Integration, items: list[ParsedAlert]):
    return Alert.objects.filter(integration=integration, identity__in=[i.identity for i in items])


def repeats_only(
    *, integration: Integration, alerts: list[ParsedAlert], now: datetime
) -> list[int] | None:
    """The alerts' ids when every notification is a repeat (the HA and repeat_interval
    case), read without locks: a no-op stays a no-op in whatever order it is applied."""
    known = {a.identity: a for a in _known_for_repeats(integration, alerts)}
    ids = []
    for item in alerts:
        alert = known.get(item.identity)
        if alert is None or _change(integration, alert, item, now) is not None:
            return None
        ids.append(alert.pk)
    return ids


# What ``_change`` reads of a known alert.
_REPEAT_COLUMNS = (
    "id",
    "identity",
    "status",
    "ticket_id",
    "suppressed",
    "starts_at",
    "acknowledged",
)


def _known_for_repeats(integration: Integration, alerts: list[ParsedAlert]) -> list[Alert]:
    """The known alerts among ``alerts``, with what ``_change`` reads: in SQL written out,
    as building the ORM query cost more CPU than running it (this runs on every request)."""
    identities = list({item.identity for item in alerts})
    sql = (
        "SELECT {columns} FROM {table} WHERE integration_id = %s AND identity IN ({marks})".format(  # noqa: S608
            columns=", ".join(map(connection.ops.quote_name, _REPEAT_COLUMNS)),
            table=connection.ops.quote_name(Alert._meta.db_table),
            marks=", ".join(["%s"] * len(identities)),
        )
    )
    return list(Alert.objects.raw(sql, [integration.pk, *identities]))


def _count_repeats(ids: list[int], now: datetime) -> None:
    if ids:
        Alert.objects.filter(pk__in=ids).update(
            notification_count=F("notification_count") + 1, last_seen_at=now
        )


def _change(
    integration: Integration, alert: Alert | None, item: ParsedAlert, now: datetime
) -> str | None:
    """What the notification does to the alert, or None when it changes nothing."""
    if alert is None:
        return None if item.action == ACKNOWLEDGED else "new"
    if item.action == FIRING:
        if alert.status == AlertStatus.FIRING:
            if alert.ticket_id is not None:
                return None  # a repeat, or an HA replica's copy
            if alert.suppressed and _in_maintenance(integration, now):
                return None
            return "open"  # fired during maintenance, which has ended
        return None if _stale(alert, item) else "refire"  # stale: a late copy of an ended episode
    if item.action == RESOLVED:
        if alert.status == AlertStatus.RESOLVED or _stale(alert, item):
            return None
        return "resolve"
    if alert.status != AlertStatus.FIRING or alert.acknowledged:
        return None
    return "acknowledge"


def _create(
    integration: Integration,
    group: AlertGroup,
    item: ParsedAlert,
    now: datetime,
    applied: Applied,
) -> Alert:
    alert = _new_alert(integration, group, item, now)
    if item.action == FIRING:
        _fire(integration, group, alert, item, now, applied)
    else:
        # Seen only after it ended: kept, so a late "firing" copy of the same episode is
        # recognised as stale.
        alert.save()
        applied.touched(
            None, _("%(title)s: resolved before it was seen firing") % {"title": alert.title}
        )
    return alert


def _group_locked(integration: Integration, key: str) -> AlertGroup:
    if connection.features.can_return_columns_from_insert:
        return _group_upsert(integration, key)
    locked = AlertGroup.objects.select_for_update(of=("self",))
    group = locked.filter(integration=integration, key=key).order_by().first()
    if group is None:
        # INSERT … ON CONFLICT DO NOTHING: a concurrent request may be inserting it too.
        AlertGroup.objects.bulk_create(
            [AlertGroup(integration=integration, key=key)], ignore_conflicts=True
        )
        group = locked.get(integration=integration, key=key)
    return group


_GROUP_UPSERT_SQL = """
    INSERT INTO {table} (integration_id, {key}, ticket_id, created_at) VALUES (%s, %s, NULL, %s)
    ON CONFLICT (integration_id, {key}) DO UPDATE SET {key} = excluded.{key}
    RETURNING *
"""


def _group_upsert(integration: Integration, key: str) -> AlertGroup:
    """The group's row, new or not, locked until the transaction ends, in one statement
    (a new group had taken a select, the insert and a select again): the insert locks a
    new row, the no-op update on conflict an existing one (waiting, like SELECT … FOR
    UPDATE, for a transaction that holds it, and returning its committed values)."""
    sql = _GROUP_UPSERT_SQL.format(
        table=connection.ops.quote_name(AlertGroup._meta.db_table),
        key=connection.ops.quote_name("key"),
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    group = next(iter(AlertGroup.objects.raw(sql, [integration.pk, key, now])))
    group.integration = integration
    return group


def _new_alert(
    integration: Integration, group: AlertGroup, item: ParsedAlert, now: datetime
) -> Alert:
    return Alert(
        integration=integration,
        group=group,
        identity=item.identity,
        status=AlertStatus.FIRING if item.action == FIRING else AlertStatus.RESOLVED,
        title=item.title,
        severity=item.severity[:50],
        priority=integration.priority_for(item.severity),
        labels=item.labels,
        details=item.details,
        source_url=item.source_url,
        starts_at=item.starts_at,
        ends_at=item.ends_at if item.action == RESOLVED else None,
        first_seen_at=now,
        last_seen_at=now,
        notification_count=1,
    )


def _apply(
    change: str,
    integration: Integration,
    group: AlertGroup,
    alert: Alert,
    item: ParsedAlert,
    now: datetime,
    applied: Applied,
) -> None:
    _refresh(alert, item, integration, now)
    if change == "refire":
        alert.status = AlertStatus.FIRING
        alert.starts_at = item.starts_at
        alert.ends_at = None
        alert.acknowledged = False
    if change in ("open", "refire"):
        _fire(integration, group, alert, item, now, applied)
    elif change == "resolve":
        alert.status = AlertStatus.RESOLVED
        alert.ends_at = item.ends_at or now
        _resolve(integration, alert, applied)
    else:
        alert.acknowledged = True
        alert.save()
        if alert.ticket_id is not None:
            note = _("Acknowledged at the source: %(title)s") % {"title": alert.title}
            ticket_reply(ticket=alert.ticket, by=intake_agent(), body=note, internal=True)
        applied.touched(alert.ticket, _("%(title)s: acknowledged") % {"title": alert.title})


def _stale(alert: Alert, item: ParsedAlert) -> bool:
    """The notification is about an earlier firing episode than the one recorded."""
    if item.starts_at is None or alert.starts_at is None:
        return False
    if item.action == FIRING and alert.status == AlertStatus.RESOLVED:
        return item.starts_at <= alert.starts_at
    return item.starts_at < alert.starts_at


def _refresh(alert: Alert, item: ParsedAlert, integration: Integration, now: datetime) -> None:
    alert.last_seen_at = now
    # Added in SQL: a repeat counted meanwhile (it takes no lock) is not overwritten.
    alert.notification_count = F("notification_count") + 1
    if item.action == FIRING:
        alert.title = item.title
        alert.severity = item.severity[:50]
        alert.priority = integration.priority_for(item.severity)
        alert.labels = item.labels or alert.labels
        alert.details = item.details or alert.details
        alert.source_url = item.source_url or alert.source_url


def _in_maintenance(integration: Integration, now: datetime) -> bool:
    return bool(
        hooks.in_maintenance(organization=integration.organization, at=now, integration=integration)
    )


def _fire(
    integration: Integration,
    group: AlertGroup,
    alert: Alert,
    item: ParsedAlert,
    now: datetime,
    applied: Applied,
) -> None:
    alert.fired_count += 1
    if _in_maintenance(integration, now):
        alert.suppressed = True
        alert.save()
        applied.touched(None, _("%(title)s: in maintenance, no incident") % {"title": alert.title})
        return
    alert.suppressed = False
    alert.save()  # the source id below needs the primary key
    current = Ticket.objects.filter(pk=group.ticket_id).first() if group.ticket_id else None
    organization = integration.organization
    result = ingest(
        Inbound(
            channel=Channel.MONITORING,
            source_id=f"alert:{alert.pk}:{alert.fired_count}",
            sender_email=sender_email(organization),
            sender_name=_("Monitoring"),
            subject=alert.title,
            body_text=_body(integration, alert, item),
            organization=organization,
            priority=alert.priority,
            type=TicketType.INCIDENT,
            team=integration.team,
            ticket_number=current.number
            if current and _threads(current, integration, now)
            else None,
        )
    )
    ticket = result.ticket
    if result.created:
        incident_page(ticket=ticket, reason=_("Alert: %(title)s") % {"title": alert.title})
    else:
        if alert.priority < ticket.priority:  # "P1" < "P2": the incident got worse
            ticket = ticket_update(ticket=ticket, by=intake_agent(), priority=alert.priority)
        if result.reopened:
            incident_page(
                ticket=ticket, reason=_("Alert again: %(title)s") % {"title": alert.title}
            )
    alert.ticket = ticket
    alert.save(update_fields=["ticket"])
    if group.ticket_id != ticket.pk:
        group.ticket = ticket
        group.save(update_fields=["ticket"])
    verb = _("opened") if result.created else _("reopened") if result.reopened else _("added to")
    applied.touched(ticket, f"{alert.title}: {verb} #{ticket.number}")


def _threads(ticket: Ticket, integration: Integration, now: datetime) -> bool:
    """Does a new firing belong to the group's last incident? Open ones, or flapping."""
    if ticket.status in ACTIVE_STATUSES:
        return True
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        return False
    return now - ticket.resolved_at <= timedelta(minutes=integration.flap_minutes)


def _resolve(integration: Integration, alert: Alert, applied: Applied) -> None:
    alert.save()
    ticket = alert.ticket
    if ticket is None:
        applied.touched(None, _("%(title)s: resolved, no incident") % {"title": alert.title})
        return
    agent = intake_agent()
    lasted = _duration(alert.starts_at, alert.ends_at)
    note = _("Resolved at the source: %(title)s.") % {"title": alert.title}
    if lasted:
        note += " " + _("It lasted %(duration)s.") % {"duration": lasted}
    ticket_reply(ticket=ticket, by=agent, body=note, internal=True)
    still_firing = Alert.objects.filter(ticket=ticket, status=AlertStatus.FIRING).exclude(
        pk=alert.pk
    )
    resolved = False
    if (
        integration.on_resolve == OnResolve.RESOLVE
        and ticket.status in ACTIVE_STATUSES
        and not still_firing.exists()
    ):
        ticket = ticket_update(ticket=ticket, by=agent, status=Status.RESOLVED)
        resolved = True
    verb = _("resolved") if resolved else _("noted on")
    applied.touched(ticket, f"{alert.title}: {verb} #{ticket.number}")


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None or end < start:
        return ""
    minutes = int((end - start).total_seconds() // 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


def _body(integration: Integration, alert: Alert, item: ParsedAlert) -> str:
    rows = [
        f"[{_('FIRING')}] {alert.title}",
        _("Severity: %(severity)s (%(priority)s)")
        % {"severity": alert.severity or "—", "priority": alert.priority},
        _("Source: %(integration)s") % {"integration": integration},
    ]
    if alert.starts_at:
        rows.append(_("Started: %(at)s") % {"at": alert.starts_at.isoformat()})
    if alert.source_url:
        rows.append(_("Link: %(url)s") % {"url": alert.source_url})
    if item.description:
        rows += ["", item.description]
    return "\n".join(rows)[: settings.MESSAGE_MAX_CHARS]
