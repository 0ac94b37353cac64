"""Monitoring pages of the workspace: the checks list, a check's page, creating and editing.

Staff only (like every /desk/ page): customers read their checks through the API and the
public status page. Maintenance, integrations and status page groups are in desk_setup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutydesk.accounts.selectors import organization_list
from dutydesk.monitoring import selectors
from dutydesk.monitoring.charts import latency_chart
from dutydesk.monitoring.forms import CheckFilterForm, CheckForm
from dutydesk.monitoring.kinds import ConfigError
from dutydesk.monitoring.models import (
    Check,
    Kind,
    Resolution,
    Rollup,
    State,
)
from dutydesk.monitoring.services import check_create, check_delete, check_run_soon, check_update
from dutydesk.monitoring.statuspage import DAYS, Day
from dutydesk.monitoring.views import desk_setup
from dutydesk.tickets.selectors import ticket_list
from dutydesk.tickets.views.queue import staff_required

PAGE_SIZE = 100
RANGES = {
    # name: (period, rollup resolution, bucket)
    "day": (timedelta(hours=24), Resolution.MINUTE, timedelta(minutes=1)),
    "month": (timedelta(days=30), Resolution.HOUR, timedelta(hours=1)),
}


def percent(share: float | None) -> str:
    if share is None:
        return "—"
    if share >= 1:
        return "100%"
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def uptime_class(share: float | None) -> str:
    if share is None:
        return "sla-none"
    return "sla-ok" if share >= 0.999 else "sla-warn" if share >= 0.99 else "sla-bad"


@dataclass
class Uptime:
    share: float | None

    @property
    def text(self) -> str:
        return percent(self.share)

    @property
    def css(self) -> str:
        return uptime_class(self.share)


@dataclass
class Row:
    check: Check
    day: Uptime
    month: Uptime

    @property
    def next_at(self) -> datetime | None:
        if self.check.is_paused:
            return None
        return (
            self.check.next_due_at if self.check.kind == Kind.HEARTBEAT else self.check.next_run_at
        )


def _filtered(request: HttpRequest, form: CheckFilterForm) -> Any:
    checks = selectors.check_queryset(user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("organization"):
        checks = checks.filter(organization__slug=data["organization"])
    if data.get("kind"):
        checks = checks.filter(kind=data["kind"])
    if data.get("q"):
        checks = checks.filter(Q(name__icontains=data["q"]) | Q(component__icontains=data["q"]))
    return checks, data.get("state") or ""


@staff_required
def check_list(request: HttpRequest) -> HttpResponse:
    """Every check the user may see, by organisation, with state, latency and uptime."""
    organizations = list(
        organization_list(user=request.user).select_related(None).only("pk", "slug", "name")
    )
    form = CheckFilterForm(request.GET or None, organizations=organizations)
    checks, state = _filtered(request, form)
    totals = checks.aggregate(
        total=Count("pk"),
        up=Count("pk", filter=Q(state=State.UP, is_paused=False)),
        down=Count("pk", filter=Q(state=State.DOWN, is_paused=False)),
        maintenance=Count("pk", filter=Q(state=State.MAINTENANCE, is_paused=False)),
        paused=Count("pk", filter=Q(is_paused=True)),
    )
    if state == "paused":
        checks = checks.filter(is_paused=True)
    elif state:
        checks = checks.filter(state=state, is_paused=False)
    paginator = Paginator(checks.order_by("organization__name", "name", "pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    items = list(page.object_list)
    now = timezone.now()
    ids = [c.pk for c in items]
    day = selectors.uptime(check_ids=ids, since=now - timedelta(hours=24))
    month = selectors.uptime(check_ids=ids, since=now - timedelta(days=30))
    groups: list[tuple[Any, list[Row]]] = []
    for check in items:
        if not groups or groups[-1][0].pk != check.organization_id:
            groups.append((check.organization, []))
        groups[-1][1].append(Row(check, Uptime(day.get(check.pk)), Uptime(month.get(check.pk))))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "monitoring/desk/check_list.html",
        {
            "nav": "monitoring",
            "tab": "checks",
            "form": form,
            "groups": groups,
            "page": page,
            "totals": totals,
            "params": params.urlencode(),
            "kinds": Kind.choices,
            "now": now,
        },
    )


def _days(check: Check, now: datetime) -> list[Day]:
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=DAYS - 1)
    counts: dict[Any, Day] = {}
    for bucket in selectors.rollup_series(
        check=check,
        resolution=Resolution.DAY,
        since=datetime.combine(first, datetime.min.time(), tzinfo=UTC),
    ):
        day = bucket.bucket.astimezone(UTC).date()
        counts[day] = Day(day, bucket.up, bucket.down, bucket.maintenance)
    return [
        counts.get(first + timedelta(days=i), Day(first + timedelta(days=i))) for i in range(DAYS)
    ]


def _ping_urls(request: HttpRequest, check: Check) -> list[tuple[str, str]]:
    return [
        (
            _("Success"),
            request.build_absolute_uri(reverse("monitoring-ping", args=[check.ping_key])),
        ),
        (
            _("Started"),
            request.build_absolute_uri(reverse("monitoring-ping-start", args=[check.ping_key])),
        ),
        (
            _("Failed"),
            request.build_absolute_uri(reverse("monitoring-ping-fail", args=[check.ping_key])),
        ),
    ]


def _curl_example(urls: list[tuple[str, str]]) -> str:
    success, start, fail = (url for _label, url in urls)
    return (
        f"curl -fsS -m 10 --retry 3 {start}\n"
        f"/usr/local/bin/backup.sh \\\n"
        f"  && curl -fsS -m 10 --retry 3 {success} \\\n"
        f"  || curl -fsS -m 10 --retry 3 {fail}"
    )


@staff_required
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(user=request.user, pk=pk)
    now = timezone.now()
    span = request.GET.get("range") if request.GET.get("range") in RANGES else "day"
    period, resolution, step = RANGES[span]
    since = now - period
    buckets: list[Rollup] = list(
        selectors.rollup_series(check=check, resolution=resolution, since=since - step)
    )
    zone = request.user.time_zone or check.organization.time_zone or "UTC"
    chart = latency_chart(
        buckets,
        since=since,
        until=now,
        step=step,
        zone=zone,
        label=_("Latency and uptime of %(name)s") % {"name": check.name},
    )
    incident_ids = set(
        check.state_changes.filter(incident__isnull=False).values_list("incident_id", flat=True)
    )
    if check.incident_id:
        incident_ids.add(check.incident_id)
    incidents = list(
        ticket_list(user=request.user).filter(pk__in=incident_ids).order_by("-created_at")[:20]
    )
    windows = selectors.check_windows(check=check)
    days = _days(check, now)
    ping_urls = _ping_urls(request, check) if check.kind == Kind.HEARTBEAT else []
    counted = [d for d in days if d.uptime is not None]
    return render(
        request,
        "monitoring/desk/check_detail.html",
        {
            "nav": "monitoring",
            "tab": "checks",
            "check": check,
            "range": span,
            "chart": chart,
            "chart_uptime": Uptime(chart.uptime),
            "days": days,
            "uptime_90": Uptime(
                sum(d.up for d in counted) / max(sum(d.up + d.down for d in counted), 1)
                if counted
                else None
            ),
            "changes": list(check.state_changes.select_related("incident")[:15]),
            "results": selectors.check_results(check=check),
            "incidents": incidents,
            "hidden_incidents": len(incident_ids) - len(incidents),
            "windows": list(windows),
            "ping_urls": ping_urls,
            "curl_example": _curl_example(ping_urls) if ping_urls else "",
            "config": sorted((check.config or {}).items()),
            "is_heartbeat": check.kind == Kind.HEARTBEAT,
            "zone": zone,
            "now": now,
        },
    )


def _kind_or_none(value: str | None) -> str | None:
    return value if value in Kind.values else None


@staff_required
def check_new(request: HttpRequest) -> HttpResponse:
    """Choose a kind, then fill in the check; errors of the service appear by the fields."""
    kind = _kind_or_none(request.GET.get("kind") or request.POST.get("kind"))
    context: dict[str, Any] = {"nav": "monitoring", "tab": "checks", "kinds": Kind.choices}
    if kind is None:
        return render(request, "monitoring/desk/check_kind.html", context)
    organizations = list(organization_list(user=request.user).filter(is_active=True))
    form = CheckForm(
        request.POST or None,
        kind=kind,
        organizations=organizations,
        initial={"organization": request.GET.get("organization", "")},
    )
    if request.method == "POST" and form.is_valid():
        config = form.config()
        organization = next(o for o in organizations if o.slug == form.cleaned_data["organization"])
        if form.is_valid():
            try:
                check = check_create(
                    organization=organization,
                    by=request.user,
                    kind=kind,
                    config=config,
                    **form.fields_for_service(),
                )
            except (ConfigError, ValidationError) as exc:
                form.show_errors(exc)
            else:
                messages.success(request, _("The check is created."))
                return redirect("monitoring-desk-check", pk=check.pk)
    context.update(form=form, kind=kind, kind_label=Kind(kind).label)
    return render(request, "monitoring/desk/check_form.html", context)


@staff_required
def check_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(user=request.user, pk=pk)
    form = CheckForm(
        request.POST or None,
        kind=check.kind,
        organizations=[],
        initial=CheckForm.initial_for(check),
    )
    if request.method == "POST" and form.is_valid():
        config = form.config()
        if form.is_valid():
            try:
                check_update(
                    check=check, by=request.user, config=config, **form.fields_for_service()
                )
            except (ConfigError, ValidationError) as exc:
                form.show_errors(exc)
            else:
                messages.success(request, _("The check is saved."))
                return redirect("monitoring-desk-check", pk=check.pk)
    return render(
        request,
        "monitoring/desk/check_form.html",
        {
            "nav": "monitoring",
            "tab": "checks",
            "form": form,
            "check": check,
            "kind": check.kind,
            "kind_label": check.get_kind_display(),
        },
    )


@require_POST
@staff_required
def check_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause or resume (``paused=0``) the check."""
    check = selectors.check_get(user=request.user, pk=pk)
    paused = request.POST.get("paused", "1") != "0"
    check_update(check=check, by=request.user, is_paused=paused)
    messages.success(request, _("The check is paused.") if paused else _("The check is resumed."))
    return redirect("monitoring-desk-check", pk=check.pk)


@require_POST
@staff_required
def check_run(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(user=request.user, pk=pk)
    try:
        check_run_soon(check=check, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check runs on the monitor's next pass."))
    return redirect("monitoring-desk-check", pk=check.pk)


@require_POST
@staff_required
def check_remove(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(user=request.user, pk=pk)
    check_delete(check=check, by=request.user)
    messages.success(request, _("The check is deleted."))
    return redirect("monitoring-desk-checks")


urlpatterns: list[URLPattern] = [
    path("desk/monitoring/", check_list, name="monitoring-desk-checks"),
    path("desk/monitoring/checks/new/", check_new, name="monitoring-desk-check-new"),
    path("desk/monitoring/checks/<int:pk>/", check_detail, name="monitoring-desk-check"),
    path("desk/monitoring/checks/<int:pk>/edit/", check_edit, name="monitoring-desk-check-edit"),
    path("desk/monitoring/checks/<int:pk>/pause/", check_pause, name="monitoring-desk-check-pause"),
    path("desk/monitoring/checks/<int:pk>/run/", check_run, name="monitoring-desk-check-run"),
    path(
        "desk/monitoring/checks/<int:pk>/delete/", check_remove, name="monitoring-desk-check-delete"
    ),
    *desk_setup.urlpatterns,
]
