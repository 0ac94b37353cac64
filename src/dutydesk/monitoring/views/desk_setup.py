"""Workspace pages that set monitoring up: maintenance windows, alert integrations with
their intake log, and status page groups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutydesk.accounts.models import User
from dutydesk.accounts.selectors import organization_list, team_list
from dutydesk.channels.alerts import selectors as alert_selectors
from dutydesk.channels.alerts.models import IntakeLog, IntakeStatus
from dutydesk.channels.alerts.services.intake import intake_reprocess
from dutydesk.channels.alerts.services.integrations import integration_create, integration_rotate
from dutydesk.monitoring import selectors
from dutydesk.monitoring.forms import IntegrationForm, MaintenanceForm, StatusGroupForm
from dutydesk.monitoring.maintenance import occurrences, window_active
from dutydesk.monitoring.models import StatusGroup
from dutydesk.monitoring.services import (
    maintenance_create,
    maintenance_delete,
    status_group_create,
    status_group_delete,
)
from dutydesk.tickets.views.queue import staff_required

LOG_SIZE = 50
URL_SESSION_KEY = "monitoring_new_integration_url"


def _manager(user: User) -> None:
    """Integrations and status pages are configuration: supervisors, managers, admins."""
    if not user.sees_all_queues:
        raise PermissionDenied


def _errors_to(form: Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, texts in exc.message_dict.items():
        key = (rename or {}).get(key, key)
        for text in texts:
            form.add_error(key if key in form.fields else None, text)


# --- maintenance windows -----------------------------------------------------------------


def _targets(user: User) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Choices for "applies to": checks and (for managers) integrations, by organisation."""
    choices: list[tuple[str, str]] = []
    objects: dict[str, Any] = {}
    checks = selectors.check_queryset(user=user).select_related(None).select_related("organization")
    for check in checks.only("pk", "name", "organization_id", "organization__name"):
        key = f"check:{check.pk}"
        choices.append(
            (
                key,
                _("Check: %(org)s · %(name)s")
                % {"org": check.organization.name, "name": check.name},
            )
        )
        objects[key] = check
    for integration in alert_selectors.integration_list(user=user):
        key = f"integration:{integration.pk}"
        choices.append(
            (
                key,
                _("Alerts: %(org)s · %(name)s")
                % {"org": integration.organization.name, "name": integration.name},
            )
        )
        objects[key] = integration
    return choices, objects


@staff_required
def maintenance_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    organizations = list(organization_list(user=user).filter(is_active=True))
    choices, objects = _targets(user)
    form = MaintenanceForm(request.POST or None, organizations=organizations, targets=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = next(o for o in organizations if o.slug == data.pop("organization"))
        key = data.pop("target") or ""
        target = objects.get(key)
        try:
            maintenance_create(
                organization=organization,
                by=user,
                check=target if key.startswith("check:") else None,
                integration=target if key.startswith("integration:") else None,
                **data,
            )
        except ValidationError as exc:
            _errors_to(form, exc, {"check": "target", "integration": "target"})
        else:
            messages.success(request, _("The maintenance window is saved."))
            return redirect("monitoring-desk-maintenance")
    now = timezone.now()
    rows = []
    for window in selectors.maintenance_queryset(user=user).order_by("organization__name", "-id")[
        :200
    ]:
        upcoming = next(occurrences(window, now, now + timedelta(days=60)), None)
        rows.append({"window": window, "active": window_active(window, now), "next": upcoming})
    return render(
        request,
        "monitoring/desk/maintenance.html",
        {"nav": "monitoring", "tab": "maintenance", "form": form, "rows": rows},
    )


@require_POST
@staff_required
def maintenance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(selectors.maintenance_queryset(user=request.user), pk=pk)
    maintenance_delete(window=window, by=request.user)
    messages.success(request, _("The maintenance window is deleted."))
    return redirect("monitoring-desk-maintenance")


# --- alert integrations -------------------------------------------------------------------


@staff_required
def integration_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _manager(user)
    organizations = list(organization_list(user=user).filter(is_active=True))
    teams = [(t.slug, t.name) for t in team_list(user=user)]
    form = IntegrationForm(request.POST or None, organizations=organizations, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = next(o for o in organizations if o.slug == data["organization"])
        team = team_list(user=user).filter(slug=data["team"]).first() if data["team"] else None
        try:
            integration, url = integration_create(
                organization=organization,
                kind=data["kind"],
                name=data["name"],
                by=user,
                team=team,
                on_resolve=data["on_resolve"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            # Shown once on the next page, never stored.
            request.session[URL_SESSION_KEY] = {"pk": integration.pk, "url": url}
            return redirect("monitoring-desk-integration", pk=integration.pk)
    since = timezone.now() - timedelta(hours=24)
    integrations = alert_selectors.integration_list(user=user).annotate(
        rejected_24h=Count(
            "intake_log",
            filter=Q(intake_log__status=IntakeStatus.REJECTED, intake_log__received_at__gte=since),
        ),
        requests_24h=Count("intake_log", filter=Q(intake_log__received_at__gte=since)),
    )
    return render(
        request,
        "monitoring/desk/integrations.html",
        {"nav": "monitoring", "tab": "integrations", "form": form, "integrations": integrations},
    )


@staff_required
def integration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An integration and its intake log: why a payload was rejected, and re-processing."""
    _manager(request.user)
    integration = alert_selectors.integration_get(user=request.user, pk=pk)
    shown = request.session.pop(URL_SESSION_KEY, None)
    url = shown["url"] if shown and shown.get("pk") == integration.pk else None
    status = request.GET.get("status") or ""
    log = alert_selectors.intake_log(integration=integration, status=status)
    return render(
        request,
        "monitoring/desk/integration.html",
        {
            "nav": "monitoring",
            "tab": "integrations",
            "integration": integration,
            "url": url,
            "log": list(log[:LOG_SIZE]),
            "status": status,
            "statuses": IntakeStatus.choices,
        },
    )


@require_POST
@staff_required
def integration_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request.user)
    integration = alert_selectors.integration_get(user=request.user, pk=pk)
    url = integration_rotate(integration=integration, by=request.user)
    request.session[URL_SESSION_KEY] = {"pk": integration.pk, "url": url}
    messages.success(request, _("A new secret is made; the old URL no longer works."))
    return redirect("monitoring-desk-integration", pk=integration.pk)


@require_POST
@staff_required
def intake_reprocess_view(request: HttpRequest, pk: int, log_id: int) -> HttpResponse:
    _manager(request.user)
    integration = alert_selectors.integration_get(user=request.user, pk=pk)
    entry = get_object_or_404(IntakeLog, integration=integration, pk=log_id)
    try:
        result = intake_reprocess(log=entry, by=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if result.status == IntakeStatus.REJECTED:
            messages.error(request, _("Rejected again: %(reason)s") % {"reason": result.reason})
        else:
            messages.success(
                request,
                _("Re-processed: %(status)s.") % {"status": result.log.get_status_display()},
            )
    return redirect("monitoring-desk-integration", pk=integration.pk)


# --- status page groups -------------------------------------------------------------------


@staff_required
def status_groups(request: HttpRequest) -> HttpResponse:
    user = request.user
    _manager(user)
    organizations = list(organization_list(user=user).filter(is_active=True))
    form = StatusGroupForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = next(o for o in organizations if o.slug == data.pop("organization"))
        try:
            status_group_create(organization=organization, by=user, **data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("The status page is published."))
            return redirect("monitoring-desk-status-groups")
    components: dict[int, list[str]] = {}
    for org_id, name in (
        selectors.check_queryset(user=user)
        .exclude(component="")
        .values_list("organization_id", "component")
        .distinct()
        .order_by("component")
    ):
        components.setdefault(org_id, []).append(name)
    groups: dict[int, list[StatusGroup]] = {}
    for group in selectors.status_group_queryset(user=user):
        groups.setdefault(group.organization_id, []).append(group)
    pages = [
        {"organization": o, "components": components.get(o.pk, []), "groups": groups.get(o.pk, [])}
        for o in organizations
        if components.get(o.pk) or groups.get(o.pk)
    ]
    return render(
        request,
        "monitoring/desk/status_groups.html",
        {"nav": "monitoring", "tab": "status", "form": form, "pages": pages},
    )


@require_POST
@staff_required
def status_group_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request.user)
    group = get_object_or_404(selectors.status_group_queryset(user=request.user), pk=pk)
    status_group_delete(group=group, by=request.user)
    messages.success(request, _("The status page is removed."))
    return redirect("monitoring-desk-status-groups")


urlpatterns: list[URLPattern] = [
    path("desk/monitoring/maintenance/", maintenance_list, name="monitoring-desk-maintenance"),
    path(
        "desk/monitoring/maintenance/<int:pk>/delete/",
        maintenance_remove,
        name="monitoring-desk-maintenance-delete",
    ),
    path("desk/monitoring/integrations/", integration_list, name="monitoring-desk-integrations"),
    path(
        "desk/monitoring/integrations/<int:pk>/",
        integration_detail,
        name="monitoring-desk-integration",
    ),
    path(
        "desk/monitoring/integrations/<int:pk>/rotate/",
        integration_rotate_view,
        name="monitoring-desk-integration-rotate",
    ),
    path(
        "desk/monitoring/integrations/<int:pk>/log/<int:log_id>/reprocess/",
        intake_reprocess_view,
        name="monitoring-desk-intake-reprocess",
    ),
    path("desk/monitoring/status-pages/", status_groups, name="monitoring-desk-status-groups"),
    path(
        "desk/monitoring/status-pages/<int:pk>/delete/",
        status_group_remove,
        name="monitoring-desk-status-group-delete",
    ),
]
