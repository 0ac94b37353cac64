"""Reads of monitoring, scoped to the acting user (or to one organisation's public page)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from dutydesk.accounts.models import Organization, User
from dutydesk.accounts.selectors import organization_list
from dutydesk.monitoring.maintenance import occurrences, window_active
from dutydesk.monitoring.models import (
    Check,
    CheckResult,
    MaintenanceWindow,
    Resolution,
    Rollup,
    StatusGroup,
)


def in_maintenance(
    *,
    organization: Organization,
    at: datetime,
    check: Check | None = None,
    integration: Any = None,
) -> bool:
    """True when a window of the organisation, of this check or of this alert integration
    is open at ``at``. Without either only organisation-wide windows count."""
    wide = Q(check_ref__isnull=True, integration__isnull=True)
    if check is not None:
        wide |= Q(check_ref=check)
    if integration is not None:
        wide |= Q(integration_id=integration.pk)
    windows = MaintenanceWindow.objects.filter(wide, organization=organization)
    return any(window_active(w, at) for w in windows)


def check_queryset(*, user: User) -> QuerySet[Check]:
    """Staff see every check; a customer sees the checks of their own organisation."""
    checks = Check.objects.select_related("organization", "incident")
    if not user.is_active:
        return checks.none()
    if user.is_agent:
        return checks
    if user.organization_id is None:
        return checks.none()
    return checks.filter(organization_id=user.organization_id)


def check_get(*, user: User, pk: int) -> Check:
    return get_object_or_404(check_queryset(user=user), pk=pk)


def check_windows(*, check: Check) -> QuerySet[MaintenanceWindow]:
    """The maintenance windows that apply to a check the caller may see: its own and its
    organisation's wide ones."""
    return MaintenanceWindow.objects.filter(organization_id=check.organization_id).filter(
        Q(check_ref=check) | Q(check_ref__isnull=True, integration__isnull=True)
    )


def check_results(*, check: Check, limit: int = 10) -> list[CheckResult]:
    """The latest raw results of a check the caller may see, newest first."""
    return list(CheckResult.objects.filter(check_ref=check).order_by("-at", "-id")[:limit])


def status_group_queryset(*, user: User) -> QuerySet[StatusGroup]:
    """The status pages of the organisations the user may see."""
    return StatusGroup.objects.filter(organization__in=organization_list(user=user))


def maintenance_queryset(*, user: User) -> QuerySet[MaintenanceWindow]:
    windows = MaintenanceWindow.objects.select_related("organization", "check_ref", "integration")
    if not user.is_active:
        return windows.none()
    if user.is_agent:
        return windows
    if user.organization_id is None:
        return windows.none()
    return windows.filter(organization_id=user.organization_id)


def uptime(*, check_ids: list[int], since: datetime) -> dict[int, float | None]:
    """Uptime share per check since ``since``, from hourly buckets (maintenance excluded)."""
    rows = (
        Rollup.objects.filter(
            check_ref_id__in=check_ids, resolution=Resolution.HOUR, bucket__gte=since
        )
        .values("check_ref_id")
        .annotate(up=Sum("up"), down=Sum("down"))
        .order_by()
    )
    shares: dict[int, float | None] = dict.fromkeys(check_ids)
    for row in rows:
        counted = (row["up"] or 0) + (row["down"] or 0)
        shares[row["check_ref_id"]] = row["up"] / counted if counted else None
    return shares


def rollup_series(*, check: Check, resolution: str, since: datetime) -> QuerySet[Rollup]:
    return Rollup.objects.filter(
        check_ref=check, resolution=resolution, bucket__gte=since
    ).order_by("bucket")


def upcoming_maintenance(
    *, organization: Organization, now: datetime, days: int = 14
) -> list[tuple[MaintenanceWindow, datetime, datetime]]:
    """Public maintenance that is open now or begins within ``days``, soonest first."""
    until = now + timedelta(days=days)
    found = []
    for window in MaintenanceWindow.objects.filter(
        organization=organization, is_public=True
    ).select_related("check_ref"):
        for start, end in occurrences(window, now, until):
            found.append((window, start, end))
            if len(found) > 200:
                break
    return sorted(found, key=lambda item: item[1])[:20]
