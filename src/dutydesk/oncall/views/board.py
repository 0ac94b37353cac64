"""On-call pages of the workspace: who is on call, my shifts, pages, policies, handovers.

Thin views: reads go through ``selectors``/``overview`` scoped to the signed-in user,
writes through the paging, policy and shift services; a refused action is a message or a
form error, never a 500.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dutydesk.accounts.models import Team
from dutydesk.oncall import overview, selectors
from dutydesk.oncall.feeds import person_feed_url
from dutydesk.oncall.models import PageStatus
from dutydesk.oncall.paging import page_acknowledge, page_resolve
from dutydesk.oncall.policies import policy_validate
from dutydesk.oncall.policy_forms import NoteForm, PolicyForm, StepFormSet, step_initial
from dutydesk.oncall.services import policy_create, policy_update
from dutydesk.oncall.shifts import shift_note_set
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.views.queue import staff_required

PAGE_SIZE = 50
STATUS_TABS = ("open", "acknowledged", "resolved", "all")


def _render(request: HttpRequest, name: str, subnav: str, context: dict[str, Any], **kw: Any):
    return render(
        request, f"oncall/board/{name}.html", {"nav": "oncall", "subnav": subnav, **context}, **kw
    )


# --- who is on call now, my shifts ----------------------------------------------------------


@staff_required
def on_call_now(request: HttpRequest) -> HttpResponse:
    teams = overview.on_call_overview(user=request.user)
    return _render(request, "now", "now", {"teams": teams, "now": timezone.now()})


@staff_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    shifts = overview.my_shifts(user=request.user, days=30)
    context = {"shifts": shifts, "feed_url": person_feed_url(request.user), "days": 30}
    return _render(request, "my_shifts", "shifts", context)


# --- pages --------------------------------------------------------------------------------


@staff_required
def page_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or "open"
    if status not in STATUS_TABS:
        status = "open"
    pages = selectors.page_list(user=request.user).select_related("ticket__organization")
    if status != "all":
        pages = pages.filter(status=status)
    team = Team.objects.filter(slug=request.GET.get("team") or "").first()
    if team is not None:
        pages = pages.filter(team=team)
    found = Paginator(pages.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "pages": found,
        "status": status,
        "tabs": [(key, label) for key, label in _status_labels()],
        "team": team,
        "teams": Team.objects.order_by("name"),
    }
    return _render(request, "pages", "pages", context)


def _status_labels() -> list[tuple[str, str]]:
    return [*PageStatus.choices, ("all", _("All"))]


@staff_required
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.page_get(user=request.user, pk=pk)
    steps = overview.page_steps(page)
    context = {
        "page": page,
        "steps": steps,
        "rounds": overview.page_rounds(page, steps),
        "next_step": overview.next_step(page, steps),
        "reminding": page.policy is not None and page.repeat > page.policy.repeat,
        "now": timezone.now(),
    }
    return _render(request, "page", "pages", context)


def _page_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    page = selectors.page_get(user=request.user, pk=pk)
    try:
        action(page=page, by=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("oncall-page", pk=page.pk)


@require_POST
@staff_required
def page_ack(request: HttpRequest, pk: int) -> HttpResponse:
    return _page_action(
        request,
        pk,
        page_acknowledge,
        _("Acknowledged: the escalation stopped and the ticket is yours."),
    )


@require_POST
@staff_required
def page_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _page_action(request, pk, page_resolve, _("The page is resolved."))


# --- escalation policies ----------------------------------------------------------------------


@staff_required
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = {
        p.team_id: p
        for p in selectors.policy_list(user=request.user).prefetch_related(
            "steps__schedule", "steps__user", "steps__team"
        )
    }
    rows = [(team, policies.get(team.pk)) for team in Team.objects.order_by("name")]
    context = {"rows": rows, "can_edit": selectors.can_edit_schedules(request.user)}
    return _render(request, "policies", "policies", context)


def _refused(exc: ActionRefused, form: PolicyForm, steps) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    for key, message in exc.errors.items():
        parts = str(key).split(".")
        if parts[0] == "steps" and len(parts) > 1 and parts[1].isdigit():
            kept = list(steps.ordered_forms)
            index = int(parts[1])
            if index < len(kept):
                kept[index].add_error(None, message)
                continue
        if parts[0] in form.fields:
            form.add_error(parts[0], message)
        else:
            form.add_error(None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
@staff_required
def policy_edit(request: HttpRequest, team: str) -> HttpResponse:
    found = get_object_or_404(Team, slug=team)
    policy = selectors.policy_list(user=request.user).filter(team=found).first()
    can_edit = selectors.can_edit_schedules(request.user)
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_edit:
        raise PermissionDenied
    form = PolicyForm.for_policy(policy, data)
    steps = StepFormSet(data, initial=step_initial(policy), prefix="steps")
    status = 200
    if data is not None:
        if form.is_valid() and steps.is_valid():
            fields = {**form.cleaned_data, "steps": steps.steps()}
            try:
                if policy is None:
                    policy_create(by=request.user, team=found, **fields)
                else:
                    policy_update(by=request.user, policy=policy, **fields)
            except ActionRefused as exc:
                _refused(exc, form, steps)
            else:
                messages.success(request, _("The escalation policy is saved."))
                return redirect("oncall-policy", team=found.slug)
        status = 400
    problems = policy_validate(policy) if policy is not None else []
    by_position: dict[int, list[str]] = {}
    for problem in problems:
        by_position.setdefault(problem.position, []).append(problem.message)
    saved = list(policy.steps.select_related("schedule", "user", "team")) if policy else []
    context = {
        "team": found,
        "policy": policy,
        "form": form,
        "steps": steps,
        "can_edit": can_edit,
        "saved_steps": [(s, by_position.get(s.position, [])) for s in saved],
        # Saved positions are 0..n-1, the order of the initial forms (problems of the saved
        # policy; after a refused POST they still describe what is saved).
        "step_rows": [(f, by_position.get(n, [])) for n, f in enumerate(steps.forms)],
        "policy_problems": by_position.get(-1, []),
    }
    return _render(request, "policy", "policies", context, status=status)


# --- handovers ----------------------------------------------------------------------------------


@staff_required
def handover_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    day = parse_date(request.GET.get("day") or "") if request.GET.get("day") else None
    rows = selectors.shift_report_list(user=request.user)
    schedule = request.GET.get("schedule") or ""
    if schedule.isdigit():
        rows = rows.filter(schedule_id=int(schedule))
    current = list(rows.filter(starts_at__lte=now, ends_at__gt=now).order_by("schedule__name"))
    if day is not None:
        listed = rows.filter(starts_at__date=day)
    else:
        listed = rows.filter(starts_at__lte=now)
    found = Paginator(listed.order_by("-starts_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "reports": found,
        "current": current,
        "day": day,
        "prev_day": (day or timezone.localdate(now)) - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day and day < timezone.localdate(now) else None,
        "bad_day": bool(request.GET.get("day")) and day is None,
        "schedule": int(schedule) if schedule.isdigit() else None,
        "schedules": selectors.schedule_list(user=request.user).prefetch_related(None),
        "now": now,
    }
    return _render(request, "handovers", "handovers", context)


@require_http_methods(["GET", "POST"])
@staff_required
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(selectors.shift_report_list(user=request.user), pk=pk)
    user = request.user
    can_note = report.handover_sent_at is None and (
        report.user_id == user.pk or user.sees_all_queues
    )
    form = NoteForm(initial={"note": report.note})
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST)
        if not can_note:
            raise PermissionDenied
        if form.is_valid():
            try:
                shift_note_set(report=report, by=user, note=form.cleaned_data["note"])
            except ActionRefused as exc:
                form.add_error("note", exc.message)
            else:
                messages.success(request, _("Your note for the next shift is saved."))
                return redirect("oncall-handover", pk=report.pk)
        status = 400
    now = timezone.now()
    context = {
        "report": report,
        "form": form,
        "can_note": can_note,
        "current": report.starts_at <= now < report.ends_at,
        "now": now,
    }
    return _render(request, "handover", "handovers", context, status=status)


urlpatterns: list[URLPattern] = [
    path("desk/oncall/now/", on_call_now, name="oncall-now"),
    path("desk/oncall/my-shifts/", my_shifts, name="oncall-my-shifts"),
    path("desk/oncall/pages/", page_list, name="oncall-pages"),
    path("desk/oncall/pages/<int:pk>/", page_detail, name="oncall-page"),
    path("desk/oncall/pages/<int:pk>/acknowledge/", page_ack, name="oncall-page-ack"),
    path("desk/oncall/pages/<int:pk>/resolve/", page_resolve_view, name="oncall-page-resolve"),
    path("desk/oncall/policies/", policy_list, name="oncall-policies"),
    path("desk/oncall/policies/<slug:team>/", policy_edit, name="oncall-policy"),
    path("desk/oncall/handovers/", handover_list, name="oncall-handovers"),
    path("desk/oncall/handovers/<int:pk>/", handover_detail, name="oncall-handover"),
]
