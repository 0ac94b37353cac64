"""Monitoring API: checks (staff write, clients read their own), results, uptime, maintenance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from dutydesk.accounts.models import Organization, User
from dutydesk.accounts.selectors import organization_list
from dutydesk.api.errors import ApiError
from dutydesk.api.pagination import keyset_page
from dutydesk.api.schemas import PageParams, error_responses
from dutydesk.channels.alerts.models import Integration
from dutydesk.monitoring import selectors
from dutydesk.monitoring.kinds import ConfigError
from dutydesk.monitoring.maintenance import window_active
from dutydesk.monitoring.models import Check, CheckResult, Kind, MaintenanceWindow
from dutydesk.monitoring.schemas import (
    BucketOut,
    CheckCreateIn,
    CheckFilters,
    CheckOut,
    CheckPage,
    CheckPatchIn,
    MaintenanceIn,
    MaintenanceOut,
    ResultOut,
    StateChangeOut,
    UptimeOut,
    UptimeQuery,
)
from dutydesk.monitoring.services import (
    check_create,
    check_delete,
    check_update,
    maintenance_create,
    maintenance_delete,
)

router = Router(tags=["monitoring"])
INVALID = "The request is not valid."


def _require_staff(user: User) -> None:
    if not user.is_agent:
        raise ApiError(403, _("Only support staff can change monitoring."))


def _organization(user: User, slug: str) -> Organization:
    organization = organization_list(user=user).filter(slug=slug).first()
    if organization is None:
        raise ApiError(422, _(INVALID), {"organization": _("unknown organisation")})
    return organization


def _invalid(exc: ConfigError | ValidationError) -> ApiError:
    if isinstance(exc, ConfigError):
        errors = {f"config.{k}": v for k, v in exc.errors.items()}
    elif hasattr(exc, "error_dict"):
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
    else:
        errors = {"__all__": " ".join(exc.messages)}
    return ApiError(422, _(INVALID), errors)


def _outs(request: HttpRequest, checks: list[Check]) -> list[dict[str, Any]]:
    user = request.auth
    now = timezone.now()
    ids = [c.pk for c in checks]
    day = selectors.uptime(check_ids=ids, since=now - timedelta(hours=24))
    month = selectors.uptime(check_ids=ids, since=now - timedelta(days=30))
    outs = []
    for check in checks:
        data = {f: getattr(check, f) for f in CheckOut.model_fields if hasattr(check, f)}
        data.update(
            organization=check.organization.slug,
            # Configuration may carry credentials (headers, bodies): staff only.
            config=check.config if user.is_agent else None,
            incident=check.incident.number if check.incident_id else None,
            ping_url=request.build_absolute_uri(reverse("monitoring-ping", args=[check.ping_key]))
            if check.kind == Kind.HEARTBEAT
            else None,
            uptime_24h=day.get(check.pk),
            uptime_30d=month.get(check.pk),
        )
        outs.append(data)
    return outs


@router.get(
    "/monitoring/checks",
    response={200: CheckPage, **error_responses(422)},
    url_name="monitoring_check_list",
)
def check_list(request: HttpRequest, filters: Query[CheckFilters]) -> dict:
    """Checks the caller may see with their state and uptime; clients see their own."""
    checks: QuerySet[Check] = selectors.check_queryset(user=request.auth)
    if filters.organization:
        checks = checks.filter(organization__slug=filters.organization)
    if filters.state:
        checks = checks.filter(state=filters.state)
    if filters.kind:
        checks = checks.filter(kind=filters.kind)
    page = keyset_page(checks, keys=("id",), cursor=filters.cursor, limit=filters.limit)
    return {"items": _outs(request, page.items), "next_cursor": page.next_cursor}


@router.post(
    "/monitoring/checks",
    response={201: CheckOut, **error_responses(400, 403, 422)},
    url_name="monitoring_check_create",
)
def check_create_view(request: HttpRequest, payload: CheckCreateIn) -> Status:
    """Create a check (staff). The configuration is validated per kind; heartbeats answer
    with their secret ``ping_url``."""
    user = request.auth
    _require_staff(user)
    fields = payload.model_dump(mode="json")
    organization = _organization(user, fields.pop("organization"))
    try:
        check = check_create(organization=organization, by=user, **fields)
    except (ConfigError, ValidationError) as exc:
        raise _invalid(exc) from None
    return Status(201, _outs(request, [check])[0])


@router.get(
    "/monitoring/checks/{check_id}",
    response={200: CheckOut, **error_responses(404)},
    url_name="monitoring_check_detail",
)
def check_detail(request: HttpRequest, check_id: int) -> dict:
    check = selectors.check_get(user=request.auth, pk=check_id)
    return _outs(request, [check])[0]


@router.patch(
    "/monitoring/checks/{check_id}",
    response={200: CheckOut, **error_responses(400, 403, 404, 422)},
    url_name="monitoring_check_update",
)
def check_patch(request: HttpRequest, check_id: int, payload: CheckPatchIn) -> dict:
    """Change a check (staff); ``{"is_paused": true}`` pauses it."""
    user = request.auth
    check = selectors.check_get(user=user, pk=check_id)
    _require_staff(user)
    try:
        check = check_update(check=check, by=user, **payload.model_dump(exclude_unset=True))
    except (ConfigError, ValidationError) as exc:
        raise _invalid(exc) from None
    check = selectors.check_get(user=user, pk=check_id)
    return _outs(request, [check])[0]


@router.delete(
    "/monitoring/checks/{check_id}",
    response={204: None, **error_responses(403, 404)},
    url_name="monitoring_check_delete",
)
def check_delete_view(request: HttpRequest, check_id: int) -> Status:
    user = request.auth
    check = selectors.check_get(user=user, pk=check_id)
    _require_staff(user)
    check_delete(check=check, by=user)
    return Status(204, None)


@router.get(
    "/monitoring/checks/{check_id}/results",
    response={200: list[ResultOut], **error_responses(404, 422)},
    url_name="monitoring_check_results",
)
def check_results(request: HttpRequest, check_id: int, page: Query[PageParams]) -> Any:
    """The latest raw results, newest first (kept only for a short period)."""
    check = selectors.check_get(user=request.auth, pk=check_id)
    return CheckResult.objects.filter(check_ref=check).order_by("-at", "-id")[: page.limit]


@router.get(
    "/monitoring/checks/{check_id}/uptime",
    response={200: UptimeOut, **error_responses(404, 422)},
    url_name="monitoring_check_uptime",
)
def check_uptime(request: HttpRequest, check_id: int, query: Query[UptimeQuery]) -> dict:
    """Rolled-up buckets (minute, hour or day) over the last ``days`` with latency."""
    check = selectors.check_get(user=request.auth, pk=check_id)
    since = timezone.now() - timedelta(days=query.days)
    buckets = list(selectors.rollup_series(check=check, resolution=query.resolution, since=since))
    up = sum(b.up for b in buckets)
    counted = up + sum(b.down for b in buckets)
    return {
        "check": check.pk,
        "resolution": query.resolution,
        "uptime": up / counted if counted else None,
        "buckets": [
            BucketOut(
                bucket=b.bucket,
                up=b.up,
                down=b.down,
                maintenance=b.maintenance,
                uptime=b.uptime,
                latency_min=b.latency_min,
                latency_avg=b.latency_avg,
                latency_max=b.latency_max,
            )
            for b in buckets
        ],
    }


@router.get(
    "/monitoring/checks/{check_id}/state-changes",
    response={200: list[StateChangeOut], **error_responses(404, 422)},
    url_name="monitoring_check_state_changes",
)
def check_state_changes(request: HttpRequest, check_id: int, page: Query[PageParams]) -> Any:
    """Ups and downs, newest first, with the incident each outage opened."""
    check = selectors.check_get(user=request.auth, pk=check_id)
    return check.state_changes.select_related("incident")[: page.limit]


# --- maintenance ------------------------------------------------------------------------


def _maintenance_out(window: MaintenanceWindow) -> MaintenanceWindow:
    window.active_now = window_active(window, timezone.now())
    return window


@router.get(
    "/monitoring/maintenance",
    response={200: list[MaintenanceOut], **error_responses(422)},
    url_name="monitoring_maintenance_list",
)
def maintenance_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    windows = selectors.maintenance_queryset(user=request.auth).order_by("-id")[: page.limit]
    return [_maintenance_out(w) for w in windows]


@router.post(
    "/monitoring/maintenance",
    response={201: MaintenanceOut, **error_responses(400, 403, 422)},
    url_name="monitoring_maintenance_create",
)
def maintenance_create_view(request: HttpRequest, payload: MaintenanceIn) -> Status:
    """A maintenance window (staff): one-off, weekly or cron, in a time zone; for the
    organisation, one check or one alert integration."""
    user = request.auth
    _require_staff(user)
    fields = payload.model_dump()
    organization = _organization(user, fields.pop("organization"))
    check_id = fields.pop("check")
    integration_id = fields.pop("integration")
    check = integration = None
    if check_id is not None:
        check = selectors.check_queryset(user=user).filter(pk=check_id).first()
        if check is None:
            raise ApiError(422, _(INVALID), {"check": _("unknown check")})
    if integration_id is not None:
        integration = Integration.objects.filter(pk=integration_id).first()
        if integration is None:
            raise ApiError(422, _(INVALID), {"integration": _("unknown integration")})
    try:
        window = maintenance_create(
            organization=organization, by=user, check=check, integration=integration, **fields
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _maintenance_out(window))


@router.delete(
    "/monitoring/maintenance/{window_id}",
    response={204: None, **error_responses(403, 404)},
    url_name="monitoring_maintenance_delete",
)
def maintenance_delete_view(request: HttpRequest, window_id: int) -> Status:
    user = request.auth
    window = selectors.maintenance_queryset(user=user).filter(pk=window_id).first()
    if window is None:
        raise ApiError(404, _("Not found."))
    _require_staff(user)
    maintenance_delete(window=window, by=user)
    return Status(204, None)
