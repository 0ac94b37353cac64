"""The data of an organisation's public status page, for the HTML page and its JSON twin.

Only what the organisation chose to publish appears: checks with a component name, and of
their incidents the subject and the agents' public replies — never internal notes, never
the client's or the monitor's own messages.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization
from dutydesk.monitoring.models import (
    Check,
    Resolution,
    Rollup,
    State,
    StateChange,
    StatusGroup,
)
from dutydesk.monitoring.selectors import upcoming_maintenance
from dutydesk.tickets.models import ACTIVE_STATUSES, Direction, Message, Ticket

DAYS = 90
PAST_INCIDENT_DAYS = 30
# The worst state of a component's checks is the component's state.
SEVERITY = {State.UP: 0, State.UNKNOWN: 1, State.MAINTENANCE: 2, State.DOWN: 3}


@dataclass
class Day:
    day: date
    up: int = 0
    down: int = 0
    maintenance: int = 0

    @property
    def uptime(self) -> float | None:
        counted = self.up + self.down
        return self.up / counted if counted else None

    @property
    def level(self) -> str:
        """A CSS class: how the day looked."""
        share = self.uptime
        if share is None:
            return "maintenance" if self.maintenance else "none"
        if share >= 0.999:
            # A clean day with planned works shows the works, not a plain green bar.
            return "maintenance" if self.maintenance else "up"
        return "partial" if share >= 0.95 else "down"

    @property
    def tooltip(self) -> str:
        share = self.uptime
        when = self.day.isoformat()
        if share is None:
            if self.maintenance:
                return _("%(day)s: maintenance") % {"day": when}
            return _("%(day)s: no data") % {"day": when}
        text = _("%(day)s: %(share)s%% uptime") % {"day": when, "share": _percent(share)}
        if self.down:
            text += " · " + _("%(n)d failed checks") % {"n": self.down}
        if self.maintenance:
            text += " · " + _("maintenance")
        return text

    def as_dict(self) -> dict:
        return {
            "date": self.day.isoformat(),
            "uptime": self.uptime,
            "up": self.up,
            "down": self.down,
            "maintenance": self.maintenance,
        }


@dataclass
class Component:
    name: str
    state: str = State.UP
    days: list[Day] = field(default_factory=list)

    @property
    def uptime(self) -> float | None:
        up = sum(d.up for d in self.days)
        counted = up + sum(d.down for d in self.days)
        return up / counted if counted else None

    @property
    def uptime_text(self) -> str:
        share = self.uptime
        return _percent(share) + "%" if share is not None else "—"

    @property
    def state_label(self) -> str:
        return {
            State.UP: _("Operational"),
            State.DOWN: _("Outage"),
            State.MAINTENANCE: _("Under maintenance"),
            State.UNKNOWN: _("No data yet"),
        }[self.state]


@dataclass
class Incident:
    ticket: Ticket
    components: list[str]
    started_at: datetime
    resolved_at: datetime | None
    updates: list[Message]

    @property
    def is_active(self) -> bool:
        return self.ticket.status in ACTIVE_STATUSES


@dataclass
class StatusPage:
    organization: Organization
    generated_at: datetime
    components: list[Component]
    active_incidents: list[Incident]
    past_incidents: list[Incident]
    maintenance: list[tuple]
    group: StatusGroup | None = None

    @property
    def overall(self) -> str:
        if not self.components:
            return State.UNKNOWN
        return max((c.state for c in self.components), key=SEVERITY.__getitem__)


def _percent(share: float) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") if share < 1 else "100"


def _components(checks: list[Check], today: date) -> list[Component]:
    by_name: dict[str, list[Check]] = defaultdict(list)
    for check in checks:
        by_name[check.component].append(check)
    first = today - timedelta(days=DAYS - 1)
    counts: dict[tuple[str, date], Day] = {}
    component_of = {c.pk: c.component for c in checks}
    rows = Rollup.objects.filter(
        check_ref_id__in=list(component_of),
        resolution=Resolution.DAY,
        bucket__gte=datetime.combine(first, datetime.min.time(), tzinfo=UTC),
    ).values_list("check_ref_id", "bucket", "up", "down", "maintenance")
    for check_id, bucket, up, down, maintenance in rows:
        key = (component_of[check_id], bucket.astimezone(UTC).date())
        day = counts.setdefault(key, Day(key[1]))
        day.up += up
        day.down += down
        day.maintenance += maintenance
    components = []
    for name in sorted(by_name, key=str.casefold):
        states = [c.state for c in by_name[name]]
        component = Component(name=name, state=max(states, key=SEVERITY.__getitem__))
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            component.days.append(counts.get((name, day), Day(day)))
        components.append(component)
    return components


def _incidents(checks: list[Check], now: datetime) -> tuple[list[Incident], list[Incident]]:
    component_of = {c.pk: c.component for c in checks}
    changes = (
        StateChange.objects.filter(check_ref_id__in=list(component_of), incident__isnull=False)
        .filter(
            Q(at__gte=now - timedelta(days=PAST_INCIDENT_DAYS))
            | Q(incident__status__in=ACTIVE_STATUSES)
        )
        .select_related("incident")
        .order_by("at")
    )
    found: dict[int, Incident] = {}
    for change in changes:
        ticket = change.incident
        incident = found.get(ticket.pk)
        if incident is None:
            incident = found[ticket.pk] = Incident(
                ticket=ticket,
                components=[],
                started_at=change.at,
                resolved_at=ticket.resolved_at,
                updates=[],
            )
        if component_of[change.check_ref_id] not in incident.components:
            incident.components.append(component_of[change.check_ref_id])
    public = Message.objects.filter(
        ticket_id__in=list(found), is_internal=False, direction=Direction.OUTBOUND
    ).order_by("-created_at")
    for message in public:
        found[message.ticket_id].updates.append(message)
    ordered = sorted(found.values(), key=lambda i: i.started_at, reverse=True)
    return [i for i in ordered if i.is_active], [i for i in ordered if not i.is_active]


def status_page(
    *, organization: Organization, now: datetime, group: StatusGroup | None = None
) -> StatusPage:
    """The organisation's page, or with ``group`` only the components of that group (and
    the maintenance of their checks or of the whole organisation)."""
    checks = Check.objects.filter(organization=organization, is_paused=False).exclude(component="")
    maintenance = upcoming_maintenance(organization=organization, now=now)
    if group is not None:
        checks = checks.filter(component__in=group.components)
        maintenance = [
            item
            for item in maintenance
            if item[0].is_organization_wide
            or (item[0].check_ref is not None and item[0].check_ref.component in group.components)
        ]
    checks = list(checks)
    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    active, past = _incidents(checks, now)
    return StatusPage(
        organization=organization,
        generated_at=now.astimezone(zone),
        components=_components(checks, now.astimezone(UTC).date()),
        active_incidents=active,
        past_incidents=past,
        maintenance=maintenance,
        group=group,
    )


def status_page_json(page: StatusPage) -> dict:
    def incident(i: Incident) -> dict:
        return {
            "id": i.ticket.number,
            "title": i.ticket.subject,
            "components": i.components,
            "status": "open" if i.is_active else "resolved",
            "started_at": i.started_at.isoformat(),
            "resolved_at": i.resolved_at.isoformat() if i.resolved_at else None,
            "updates": [{"at": m.created_at.isoformat(), "text": m.body_text} for m in i.updates],
        }

    return {
        "organization": {"name": page.organization.name, "slug": page.organization.slug},
        "group": {"name": page.group.name, "slug": page.group.slug} if page.group else None,
        "generated_at": page.generated_at.isoformat(),
        "status": page.overall,
        "components": [
            {
                "name": c.name,
                "status": c.state,
                "uptime_90d": c.uptime,
                "days": [d.as_dict() for d in c.days],
            }
            for c in page.components
        ],
        "active_incidents": [incident(i) for i in page.active_incidents],
        "past_incidents": [incident(i) for i in page.past_incidents],
        "scheduled_maintenance": [
            {
                "title": w.title,
                "description": w.description,
                "component": w.check_ref.component if w.check_ref else None,
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
            }
            for w, start, end in page.maintenance
        ],
    }
