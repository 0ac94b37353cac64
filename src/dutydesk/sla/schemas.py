"""The shapes of the SLA API: policies with their targets, calendars with their hours."""

from __future__ import annotations

from datetime import date, time

from ninja import Field, Schema

from dutydesk.api.schemas import StrictSchema, Text
from dutydesk.sla.models import BreachAction, BusinessCalendar, DayKind, Policy
from dutydesk.tickets.models import Priority


class TargetOut(Schema):
    priority: str
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int


class PolicyOut(Schema):
    slug: str
    name: str
    calendar: str = Field(..., description="The calendar's slug.")
    is_default: bool
    warn_first: int = Field(..., description="Percent of a target that warns first.")
    warn_second: int
    unanswered_minutes: int = Field(
        ..., description="How long any client message may wait for an answer."
    )
    breach_action: str
    targets: list[TargetOut]

    @staticmethod
    def resolve_calendar(obj: Policy) -> str:
        return obj.calendar.slug

    @staticmethod
    def resolve_targets(obj: Policy) -> list:
        return list(obj.targets.all())


class IntervalSchema(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 Monday … 6 Sunday.")
    start: time
    end: time | None = Field(None, description="Null: midnight.")


class DaySchema(Schema):
    date: date
    kind: DayKind
    works_as_weekday: int | None = Field(None, ge=0, le=6)
    yearly: bool = False
    note: str = ""


class CalendarOut(Schema):
    slug: str
    name: str
    time_zone: str
    always_open: bool
    holiday_country: str
    intervals: list[IntervalSchema]
    days: list[DaySchema]

    @staticmethod
    def resolve_intervals(obj: BusinessCalendar) -> list:
        return list(obj.intervals.all())

    @staticmethod
    def resolve_days(obj: BusinessCalendar) -> list:
        return list(obj.days.all())


class TargetIn(StrictSchema):
    priority: Priority
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int


class PolicyIn(StrictSchema):
    slug: Text = Field(..., max_length=50)
    name: Text = Field(..., max_length=100)
    calendar: Text = Field(..., max_length=50, description="A calendar's slug.")
    is_default: bool = False
    warn_first: int = 75
    warn_second: int = 90
    unanswered_minutes: int = 30
    breach_action: BreachAction = BreachAction.NOTIFY
    targets: list[TargetIn] = Field(default_factory=list)


class PolicyPatchIn(StrictSchema):
    """Only the fields sent change; ``targets``, when sent, replace all targets."""

    name: Text = Field(None, max_length=100)  # type: ignore[assignment]
    calendar: Text = Field(None, max_length=50)  # type: ignore[assignment]
    is_default: bool = None  # type: ignore[assignment]
    warn_first: int = None  # type: ignore[assignment]
    warn_second: int = None  # type: ignore[assignment]
    unanswered_minutes: int = None  # type: ignore[assignment]
    breach_action: BreachAction = None  # type: ignore[assignment]
    targets: list[TargetIn] = None  # type: ignore[assignment]


class IntervalIn(StrictSchema):
    weekday: int = Field(..., ge=0, le=6, description="0 Monday … 6 Sunday.")
    start: time
    end: time | None = Field(None, description="Null: midnight.")


class DayIn(StrictSchema):
    date: date
    kind: DayKind
    works_as_weekday: int | None = Field(None, ge=0, le=6)
    yearly: bool = False
    note: Text = Field("", max_length=200)


class CalendarIn(StrictSchema):
    """A whole calendar: saving replaces its intervals and days."""

    slug: Text = Field(..., max_length=50)
    name: Text = Field(..., max_length=100)
    time_zone: Text = Field("UTC", max_length=64)
    always_open: bool = False
    holiday_country: Text = Field("", max_length=8)
    intervals: list[IntervalIn] = Field(default_factory=list)
    days: list[DayIn] = Field(default_factory=list)
