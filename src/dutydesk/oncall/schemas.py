"""Input and output shapes of the on-call API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from dutydesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from dutydesk.api.schemas import StrictSchema, Text

Unit = Literal["hours", "days", "weeks"]


class LayerIn(StrictSchema):
    name: Text = Field("", max_length=100)
    level: int = Field(..., ge=0, le=100)
    shift_unit: Unit = "days"
    shift_count: int = Field(1, ge=1, le=365)
    handoff_at: AwareDatetime
    participants: list[Text] = Field(..., min_length=1, max_length=100, description="Emails.")
    restrict_days: list[int] = Field([], description="0 = Monday; empty: no restriction.")
    restrict_start: time | None = None
    restrict_end: time | None = None


class OverrideIn(StrictSchema):
    user: Text = Field(..., max_length=254, description="Email of the person covering.")
    start: AwareDatetime
    end: AwareDatetime
    note: Text = Field("", max_length=200)


class ScheduleIn(StrictSchema):
    team: Text = Field(..., max_length=50, description="Team slug.")
    name: Text = Field(..., min_length=1, max_length=100)
    time_zone: Text = Field("Europe/Moscow", max_length=64)
    layers: list[LayerIn] = Field([], max_length=20)
    overrides: list[OverrideIn] = Field([], max_length=500)


class SchedulePatchIn(StrictSchema):
    team: Text | None = Field(None, max_length=50)
    name: Text | None = Field(None, min_length=1, max_length=100)
    time_zone: Text | None = Field(None, max_length=64)
    layers: list[LayerIn] | None = Field(None, max_length=20)


class LayerOut(Schema):
    id: int
    name: str
    level: int
    shift_unit: str
    shift_count: int
    handoff_at: datetime
    participants: list[str]
    restrict_days: list[int]
    restrict_start: time | None
    restrict_end: time | None


class OverrideOut(Schema):
    id: int
    user: str
    start: datetime
    end: datetime
    note: str


class WarningOut(Schema):
    code: str
    message: str


class ScheduleOut(Schema):
    id: int
    team: str
    name: str
    time_zone: str
    layers: list[LayerOut]
    overrides: list[OverrideOut]
    feed_url: str | None = Field(None, description="Secret iCal URL; editors only.")
    warnings: list[WarningOut] = []


class ShiftOut(Schema):
    start: datetime
    end: datetime
    user: str
    source: str


class NowLayerOut(Schema):
    level: int
    name: str
    user: str | None


class NowOut(Schema):
    team: str
    schedules: list[dict]
    final: str | None


class StepIn(StrictSchema):
    target: Literal["schedule", "user", "team", "supervisors"]
    schedule: int | None = None
    user: Text | None = Field(None, max_length=254)
    team: Text | None = Field(None, max_length=50)
    channel: Literal["all", "email", "telegram", "webhook"] = "all"
    wait_minutes: int = Field(5, ge=0, le=1440)


class PolicyIn(StrictSchema):
    team: Text = Field(..., max_length=50)
    name: Text = Field(..., min_length=1, max_length=100)
    repeat: int = Field(2, ge=0, le=20)
    fallback: Literal["team", "supervisors"] = "team"
    steps: list[StepIn] = Field([], max_length=20)


class PolicyPatchIn(StrictSchema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    repeat: int | None = Field(None, ge=0, le=20)
    fallback: Literal["team", "supervisors"] | None = None
    steps: list[StepIn] | None = Field(None, max_length=20)


class StepOut(Schema):
    position: int
    target: str
    schedule: int | None
    user: str | None
    team: str | None
    channel: str
    wait_minutes: int
    problem: str | None = None


class PolicyOut(Schema):
    id: int
    team: str
    name: str
    repeat: int
    fallback: str
    steps: list[StepOut]
    problems: list[str] = []


class PageOut(Schema):
    id: int
    ticket: int
    team: str | None
    reason: str
    status: str
    step_index: int
    repeat: int
    next_step_at: datetime | None
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class PageFilters(Schema):
    status: Literal["open", "acknowledged", "resolved"] | None = None
    team: Text | None = Field(None, max_length=50)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Text | None = Field(None, max_length=500)


class PageListOut(Schema):
    items: list[PageOut]
    next_cursor: str | None


class ShiftQuery(Schema):
    start: AwareDatetime
    end: AwareDatetime


class FeedOut(Schema):
    url: str


class ShiftReportOut(Schema):
    id: int
    schedule: int
    user: str
    starts_at: datetime
    ends_at: datetime
    briefing_sent_at: datetime | None
    handover_sent_at: datetime | None
    note: str
    briefing: dict
    handover: dict


class ShiftReportFilters(Schema):
    schedule: int | None = None
    day: date | None = Field(None, description="Shifts that started on this UTC date.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Text | None = Field(None, max_length=500)


class ShiftReportPage(Schema):
    items: list[ShiftReportOut]
    next_cursor: str | None


class NoteIn(StrictSchema):
    note: Text = Field(..., max_length=5000)


class LoadOut(Schema):
    user: str
    nights: int
    night_hours: float
    weekend_hours: float
    total_hours: float
