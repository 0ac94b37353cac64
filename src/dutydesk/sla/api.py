"""SLA API: policies with their targets and calendars with their hours; staff read them,
admins write them. Bad input is a 422 with the reason and changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from dutydesk.accounts.models import Role, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import Text, error_responses
from dutydesk.sla.models import BusinessCalendar, CalendarDay, Policy, PolicyTarget, WorkingInterval
from dutydesk.sla.policies import policy_save
from dutydesk.sla.schemas import (
    CalendarIn,
    CalendarOut,
    PolicyIn,
    PolicyOut,
    PolicyPatchIn,
    TargetIn,
)
from dutydesk.sla.services import calendar_save

router = Router(tags=["sla"])

READ = error_responses(403)
WRITE = error_responses(403, 404, 422)


def _require_staff(user: User) -> None:
    if not user.is_agent:
        raise ApiError(403, _("Only support staff can read SLA policies."))


def _require_admin(user: User) -> None:
    if not (user.is_active and (user.role == Role.ADMIN or user.is_superuser)):
        raise ApiError(403, _("Only administrators can change SLA policies and calendars."))


def _invalid(error: ValidationError) -> ApiError:
    """A Django validation error as a 422 that names the fields."""
    errors: dict[str, str] = {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            errors[field if field != "__all__" else "detail"] = " ".join(messages)
    detail = errors.pop("detail", None) or " ".join(error.messages)
    return ApiError(422, detail or _("The request is not valid."), errors)


def _policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("calendar").prefetch_related("targets")


def _calendars() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related("intervals", "days")


def _policy(slug: str) -> Policy:
    policy = _policies().filter(slug=slug).first()
    if policy is None:
        raise ApiError(404, _("Not found."))
    return policy


def _calendar_by_slug(slug: str, field: str = "calendar") -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(slug=slug).first()
    if calendar is None:
        raise ApiError(422, _("The request is not valid."), {field: _("unknown calendar")})
    return calendar


def _targets(given: list[TargetIn]) -> list[PolicyTarget]:
    return [PolicyTarget(**target.model_dump(mode="json")) for target in given]


# --- policies -------------------------------------------------------------------------


@router.get("/policies", response={200: list[PolicyOut], **READ}, url_name="sla_policy_list")
def policy_list(request: HttpRequest) -> Any:
    """Every SLA policy with its targets per priority (staff only)."""
    _require_staff(request.auth)
    return list(_policies())


@router.get(
    "/policies/{slug}",
    response={200: PolicyOut, **error_responses(403, 404)},
    url_name="sla_policy_detail",
)
def policy_detail(request: HttpRequest, slug: Text) -> Policy:
    _require_staff(request.auth)
    return _policy(slug)


@router.post("/policies", response={201: PolicyOut, **WRITE}, url_name="sla_policy_create")
def policy_create(request: HttpRequest, payload: PolicyIn) -> Status:
    """Create a policy with its targets (admins only)."""
    user = request.auth
    _require_admin(user)
    data = payload.model_dump(mode="json")
    targets = _targets(payload.targets)
    data.pop("targets")
    data["calendar"] = _calendar_by_slug(data["calendar"])
    try:
        policy = policy_save(policy=Policy(**data), targets=targets, by=user)
    except ValidationError as error:
        raise _invalid(error) from None
    return Status(201, _policy(policy.slug))


@router.patch("/policies/{slug}", response={200: PolicyOut, **WRITE}, url_name="sla_policy_update")
def policy_update(request: HttpRequest, slug: Text, payload: PolicyPatchIn) -> Policy:
    """Change a policy (admins only); sent ``targets`` replace all of them. Open tickets on
    the policy are recomputed."""
    user = request.auth
    _require_admin(user)
    policy = _policy(slug)
    changes = payload.model_dump(exclude_unset=True, mode="json")
    for field in ("targets", *changes):
        if field in changes and changes[field] is None:
            raise ApiError(422, _("The request is not valid."), {field: _("must not be null")})
    targets = _targets(payload.targets) if "targets" in changes else None
    changes.pop("targets", None)
    if "calendar" in changes:
        changes["calendar"] = _calendar_by_slug(changes["calendar"])
    for field, value in changes.items():
        setattr(policy, field, value)
    try:
        policy_save(policy=policy, targets=targets, by=user)
    except ValidationError as error:
        raise _invalid(error) from None
    return _policy(policy.slug)


# --- calendars ------------------------------------------------------------------------


@router.get("/calendars", response={200: list[CalendarOut], **READ}, url_name="sla_calendar_list")
def calendar_list(request: HttpRequest) -> Any:
    """Every business calendar with its weekly hours and its dated days (staff only)."""
    _require_staff(request.auth)
    return list(_calendars())


@router.get(
    "/calendars/{slug}",
    response={200: CalendarOut, **error_responses(403, 404)},
    url_name="sla_calendar_detail",
)
def calendar_detail(request: HttpRequest, slug: Text) -> BusinessCalendar:
    _require_staff(request.auth)
    calendar = _calendars().filter(slug=slug).first()
    if calendar is None:
        raise ApiError(404, _("Not found."))
    return calendar


def _save_calendar(calendar: BusinessCalendar, payload: CalendarIn, user: User) -> Any:
    for field in ("slug", "name", "time_zone", "always_open", "holiday_country"):
        setattr(calendar, field, getattr(payload, field))
    intervals = [WorkingInterval(**i.model_dump()) for i in payload.intervals]
    days = [CalendarDay(**d.model_dump(mode="python")) for d in payload.days]
    try:
        calendar_save(calendar=calendar, intervals=intervals, days=days, by=user)
    except ValidationError as error:
        raise _invalid(error) from None
    return _calendars().get(pk=calendar.pk)


@router.post("/calendars", response={201: CalendarOut, **WRITE}, url_name="sla_calendar_create")
def calendar_create(request: HttpRequest, payload: CalendarIn) -> Status:
    """Create a calendar (admins only). One that cannot measure time is refused."""
    _require_admin(request.auth)
    return Status(201, _save_calendar(BusinessCalendar(), payload, request.auth))


@router.put(
    "/calendars/{slug}", response={200: CalendarOut, **WRITE}, url_name="sla_calendar_update"
)
def calendar_update(request: HttpRequest, slug: Text, payload: CalendarIn) -> Any:
    """Replace a calendar whole (admins only); open tickets measured on it are recomputed."""
    _require_admin(request.auth)
    calendar = BusinessCalendar.objects.filter(slug=slug).first()
    if calendar is None:
        raise ApiError(404, _("Not found."))
    return _save_calendar(calendar, payload, request.auth)
