"""API schemas of monitoring."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ninja import Field, Schema

from dutydesk.api.schemas import PageParams, StrictSchema, Text
from dutydesk.monitoring.models import Kind, Recurrence, Resolution, State
from dutydesk.tickets.models import Priority


class CheckFilters(PageParams):
    organization: Text | None = Field(None, max_length=50, description="A client's slug.")
    state: State | None = None
    kind: Kind | None = None


class CheckCreateIn(StrictSchema):
    organization: Text = Field(..., max_length=50, description="The client's slug.")
    name: Text = Field(..., min_length=1, max_length=200)
    kind: Kind
    config: dict[str, Any] = Field(
        default_factory=dict, description="Per kind; see docs/monitoring.md."
    )
    interval_seconds: int = Field(60, ge=10, le=86400)
    timeout_seconds: float = Field(10, ge=0.5, le=300)
    alert_after: int = Field(2, ge=1, le=100, description="Consecutive failures before alerting.")
    recover_after: int = Field(1, ge=1, le=100, description="Consecutive successes to recover.")
    component: Text = Field(
        "", max_length=200, description="Status page component; hidden if empty."
    )
    priority: Priority = Priority.P2
    resolve_on_recovery: bool = True
    is_paused: bool = False


class CheckPatchIn(StrictSchema):
    """Only the fields sent change; ``is_paused`` pauses and resumes."""

    name: Text = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    config: dict[str, Any] = None  # type: ignore[assignment]
    interval_seconds: int = Field(None, ge=10, le=86400)  # type: ignore[assignment]
    timeout_seconds: float = Field(None, ge=0.5, le=300)  # type: ignore[assignment]
    alert_after: int = Field(None, ge=1, le=100)  # type: ignore[assignment]
    recover_after: int = Field(None, ge=1, le=100)  # type: ignore[assignment]
    component: Text = Field(None, max_length=200)  # type: ignore[assignment]
    priority: Priority = None  # type: ignore[assignment]
    resolve_on_recovery: bool = None  # type: ignore[assignment]
    is_paused: bool = None  # type: ignore[assignment]


class CheckOut(Schema):
    id: int
    organization: str
    name: str
    kind: str
    config: dict[str, Any] | None = Field(None, description="Shown to staff only.")
    interval_seconds: int
    timeout_seconds: float
    alert_after: int
    recover_after: int
    component: str
    priority: str
    resolve_on_recovery: bool
    is_paused: bool
    state: str
    state_since: datetime | None
    last_run_at: datetime | None
    last_ok: bool | None
    last_latency_ms: float | None
    last_message: str
    next_run_at: datetime | None
    next_due_at: datetime | None = Field(None, description="Heartbeats: the ping deadline.")
    last_ping_at: datetime | None
    last_duration_ms: float | None
    incident: int | None = Field(None, description="Number of the current or latest incident.")
    ping_url: str | None = Field(None, description="Heartbeats: the secret URL to ping.")
    uptime_24h: float | None
    uptime_30d: float | None


class CheckPage(Schema):
    items: list[CheckOut]
    next_cursor: str | None


class ResultOut(Schema):
    at: datetime
    status: str
    ok: bool
    latency_ms: float | None
    message: str


class UptimeQuery(Schema):
    resolution: Resolution = Resolution.HOUR
    days: int = Field(1, ge=1, le=366)


class BucketOut(Schema):
    bucket: datetime
    up: int
    down: int
    maintenance: int
    uptime: float | None
    latency_min: float | None
    latency_avg: float | None
    latency_max: float | None


class UptimeOut(Schema):
    check: int
    resolution: str
    uptime: float | None
    buckets: list[BucketOut]


class StateChangeOut(Schema):
    at: datetime
    old: str
    new: str
    message: str
    incident: int | None

    @staticmethod
    def resolve_incident(obj: Any) -> int | None:
        return obj.incident.number if obj.incident_id else None


class MaintenanceIn(StrictSchema):
    organization: Text = Field(..., max_length=50)
    check: int | None = Field(None, description="Only this check; the whole organisation if null.")
    integration: int | None = Field(
        None, description="Only the alerts of this alert integration (not with ``check``)."
    )
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = ""
    recurrence: Recurrence = Recurrence.ONCE
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: list[int] = Field(default_factory=list, description="ISO weekdays, 1 = Monday.")
    start_time: time | None = None
    cron: Text = Field("", max_length=100)
    duration_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    time_zone: Text = Field("UTC", max_length=64)
    is_public: bool = True


class MaintenanceOut(Schema):
    id: int
    organization: str
    check: int | None
    integration: int | None
    title: str
    description: str
    recurrence: str
    starts_at: datetime | None
    ends_at: datetime | None
    weekdays: list[int]
    start_time: time | None
    cron: str
    duration_minutes: int
    time_zone: str
    is_public: bool
    active_now: bool

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_check(obj: Any) -> int | None:
        return obj.check_ref_id

    @staticmethod
    def resolve_integration(obj: Any) -> int | None:
        return obj.integration_id
