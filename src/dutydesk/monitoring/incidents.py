"""Incident tickets of checks: opened through ``ingest``, resolved with a note on recovery."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, User
from dutydesk.accounts.services import system_agent
from dutydesk.monitoring.models import Check
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import ACTIVE_STATUSES, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_update

log = logging.getLogger(__name__)
CHANNEL = "monitoring"


def monitoring_sender(organization: Organization) -> str:
    """The contact that files an organisation's monitoring incidents (one per organisation,
    because a contact belongs to exactly one organisation)."""
    domain = settings.MONITORING["sender_domain"]
    return f"monitoring+{organization.slug}@{domain}"


def monitoring_robot() -> User:
    """The staff account that resolves incidents on recovery (no password, no teams)."""
    return system_agent(email=settings.MONITORING["robot_email"], name="Monitoring")


# The on-call app sets this in its AppConfig.ready(); until then an incident pages nobody.
IncidentPager = Callable[..., object]
incident_pager: IncidentPager | None = None


def incident_opened(*, ticket: Ticket, check: Check, reason: str) -> None:
    """Called in the transaction that opens (or reopens) a check's incident, so the page
    commits with it."""
    log.info("monitoring incident %s opened for check %s: %s", ticket.number, check.pk, reason)
    if incident_pager is not None:
        incident_pager(ticket=ticket, reason=reason, team=None)


def _target(check: Check) -> str:
    config = check.config or {}
    for key in ("url", "domain", "name", "host"):
        if config.get(key):
            port = config.get("port")
            return f"{config[key]}:{port}" if key == "host" and port else str(config[key])
    return ""


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    seconds = int(delta.total_seconds() % 60)
    if minutes >= 60:
        return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}
    if minutes:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
    return _("%(s)d s") % {"s": seconds}


def _thread_into(check: Check, at: datetime) -> Ticket | None:
    """The incident a new outage joins: the open one, or one that recovered moments ago."""
    ticket = check.incident
    if ticket is None:
        return None
    if ticket.status in ACTIVE_STATUSES:
        return ticket
    window = timedelta(minutes=settings.MONITORING["flap_window_minutes"])
    if check.recovered_at is not None and at - check.recovered_at <= window:
        return ticket
    return None


def incident_open(*, check: Check, at: datetime, reason: str) -> Ticket | None:
    """Open the outage's incident, or thread it into the flapping check's recent one."""
    started = check.outage_started_at or at
    joined = _thread_into(check, at)
    target = _target(check)
    body = _(
        "%(name)s is down since %(since)s UTC.\n\n"
        "Check: %(kind)s %(target)s\nLast result: %(reason)s"
    ) % {
        "name": check.name,
        "since": started.strftime("%Y-%m-%d %H:%M:%S"),
        "kind": check.get_kind_display(),
        "target": target,
        "reason": reason or "-",
    }
    inbound = Inbound(
        channel=CHANNEL,
        source_id=f"check-{check.pk}-down-{int(started.timestamp())}",
        organization=check.organization,
        sender_email=monitoring_sender(check.organization),
        sender_name="Monitoring",
        priority=check.priority,
        subject=(_("%(name)s is down") % {"name": check.name})[:255],
        body_text=body,
        ticket_number=joined.number if joined else None,
        extra={"check": check.pk},
    )
    result = ingest(inbound)
    Check.objects.filter(pk=check.pk).update(incident=result.ticket, recovered_at=None)
    check.incident = result.ticket
    check.recovered_at = None
    if result.created or result.reopened:
        ticket = result.ticket
        incident_opened(ticket=ticket, check=check, reason=reason)
    return result.ticket


def incident_recover(*, check: Check, at: datetime, reason: str) -> None:
    """Note the recovery with the downtime on the incident and resolve it if configured."""
    ticket = check.incident
    if ticket is None or check.recovered_at is not None:
        return
    started = check.outage_started_at or at
    body = _("%(name)s is up again at %(at)s UTC after %(downtime)s of downtime.\n\n%(reason)s") % {
        "name": check.name,
        "at": at.strftime("%Y-%m-%d %H:%M:%S"),
        "downtime": _duration(at - started),
        "reason": reason,
    }
    with transaction.atomic():
        ingest(
            Inbound(
                channel=CHANNEL,
                source_id=f"check-{check.pk}-up-{int(at.timestamp())}",
                organization=check.organization,
                sender_email=monitoring_sender(check.organization),
                sender_name="Monitoring",
                body_text=body,
                ticket_number=ticket.number,
                extra={"check": check.pk},
            )
        )
        ticket.refresh_from_db()
        if check.resolve_on_recovery and ticket.status in ACTIVE_STATUSES:
            ticket_update(ticket=ticket, by=monitoring_robot(), status=Status.RESOLVED)
        Check.objects.filter(pk=check.pk).update(recovered_at=at, outage_started_at=None)
    check.recovered_at = at
    check.outage_started_at = None
