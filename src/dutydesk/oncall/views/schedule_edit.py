"""Create, edit and delete a schedule and its rotation layers (supervisors, managers and
admins). The forms check values; the services validate the whole schedule, write it
atomically and audit it; their refusals come back next to the field or layer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dutydesk.accounts.models import User
from dutydesk.accounts.selectors import team_list
from dutydesk.core.zones import zone_or_none
from dutydesk.oncall import selectors, services
from dutydesk.oncall.forms import SLOTS, LayerFormSet, ScheduleForm
from dutydesk.oncall.models import Schedule
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.views.queue import staff_required


def _editor(request: HttpRequest) -> None:
    if not selectors.can_edit_schedules(request.user):
        raise PermissionDenied(_("Only supervisors and admins can change on-call settings."))


def _layer_initial(schedule: Schedule | None, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The saved layers, then one blank layer with sensible defaults to fill in."""
    rows = []
    for layer in schedule.layers.all() if schedule else []:
        row = {
            "name": layer.name,
            "level": layer.level,
            "shift_count": layer.shift_count,
            "shift_unit": layer.shift_unit,
            "handoff_at": layer.handoff_at,
            "restrict_days": [str(d) for d in layer.restrict_days],
            "restrict_start": layer.restrict_start,
            "restrict_end": layer.restrict_end,
        }
        members = sorted(layer.members.all(), key=lambda m: (m.position, m.pk))
        row |= {f"p{n}": str(m.user_id) for n, m in enumerate(members[:SLOTS])}
        rows.append(row)
    today = timezone.now().astimezone(zone).date()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    rows.append(
        {
            "level": max((r["level"] for r in rows), default=-1) + 1,
            "shift_count": 1,
            "shift_unit": "weeks",
            "handoff_at": datetime.combine(monday, time(9), tzinfo=zone),
        }
    )
    return rows


def _formset(data: Any, schedule: Schedule | None, zone: ZoneInfo, people: list) -> BaseFormSet:
    saved = len(schedule.layers.all()) if schedule else 0
    formset = LayerFormSet(
        data,
        prefix="layers",
        initial=_layer_initial(schedule, zone),
        form_kwargs={"people": people},
    )
    # The blank layer is an extra form: left without people, it is not saved.
    formset.initial_form_count = lambda: saved  # type: ignore[method-assign]
    return formset


def _layers(formset: BaseFormSet, emails: dict[int, str]) -> list[tuple[Any, dict[str, Any]]]:
    out = []
    for n, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        if n >= formset.initial_form_count() and not data["people"]:
            continue
        out.append(
            (
                form,
                {
                    "name": data["name"],
                    "level": data["level"],
                    "shift_unit": data["shift_unit"],
                    "shift_count": data["shift_count"],
                    "handoff_at": data["handoff_at"],
                    "participants": [emails[p] for p in data["people"] if p in emails],
                    "restrict_days": [int(d) for d in data["restrict_days"]],
                    "restrict_start": data["restrict_start"],
                    "restrict_end": data["restrict_end"],
                },
            )
        )
    return out


def _refused(exc: ActionRefused, form: ScheduleForm, layers: list, formset: BaseFormSet) -> None:
    """Put a service's refusal next to the field or the layer it is about."""
    for key, message in (exc.errors or {"": exc.message}).items():
        parts = key.split(".")
        if (
            parts[0] == "layers"
            and len(parts) > 1
            and parts[1].isdigit()
            and int(parts[1]) < len(layers)
        ):
            layers[int(parts[1])][0].add_error(None, message)
        elif parts[0] == "layers":
            formset._non_form_errors.append(message)
        elif key in form.fields:
            form.add_error(key, message)
        else:
            form.add_error(None, message)


def _page(request: HttpRequest, schedule: Schedule | None) -> HttpResponse:
    people = selectors.staff_choices()
    teams = team_list(user=request.user)
    default_zone = schedule.time_zone if schedule else timezone.get_current_timezone_name()
    if request.method == "POST":
        form = ScheduleForm(request.POST, teams=teams)
        chosen = request.POST.get("time_zone", "")
        zone_name = chosen if zone_or_none(chosen) else default_zone
    else:
        initial = (
            {"name": schedule.name, "team": schedule.team_id, "time_zone": schedule.time_zone}
            if schedule
            else {
                "time_zone": default_zone,
                "team": request.user.teams.values_list("pk", flat=True).first(),
            }
        )
        form = ScheduleForm(initial=initial, teams=teams)
        zone_name = default_zone
    zone = ZoneInfo(zone_name)
    formset = _formset(request.POST if request.method == "POST" else None, schedule, zone, people)
    status = 200
    if request.method == "POST":
        with timezone.override(zone):
            valid = form.is_valid() & formset.is_valid()
        if valid:
            saved = _save(request, schedule, form, formset)
            if saved is not None:
                return redirect("oncall-schedule", pk=saved.pk)
        status = 400
    with timezone.override(zone):
        return render(
            request,
            "oncall/schedules/edit.html",
            {
                "schedule": schedule,
                "form": form,
                "formset": formset,
                "zone": zone_name,
                "warnings": selectors.schedule_check(schedule) if schedule else [],
                "nav": "oncall",
                "subnav": "schedules",
            },
            status=status,
        )


def _save(
    request: HttpRequest, schedule: Schedule | None, form: ScheduleForm, formset: BaseFormSet
) -> Schedule | None:
    ids = {p for f in formset.forms if f.cleaned_data for p in f.cleaned_data.get("people", [])}
    emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
    layers = _layers(formset, emails)
    data = form.cleaned_data
    try:
        if schedule is None:
            schedule = services.schedule_create(
                by=request.user,
                team=data["team"],
                name=data["name"],
                time_zone=data["time_zone"],
                layers=[layer for _f, layer in layers],
            )
        else:
            services.schedule_update(
                by=request.user,
                schedule=schedule,
                name=data["name"],
                team=data["team"],
                time_zone=data["time_zone"],
                layers=[layer for _f, layer in layers],
            )
    except ActionRefused as exc:
        _refused(exc, form, layers, formset)
        return None
    found = selectors.schedule_get(user=request.user, pk=schedule.pk)
    warnings = selectors.schedule_check(found)
    messages.success(request, _("Schedule saved."))
    if warnings:
        messages.warning(
            request,
            _("The schedule has %(n)s warning(s) for the next four weeks: see Checks.")
            % {"n": len(warnings)},
        )
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest) -> HttpResponse:
    _editor(request)
    return _page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get(user=request.user, pk=pk)
    _editor(request)
    return _page(request, schedule)


@staff_required
@require_POST
def schedule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get(user=request.user, pk=pk)
    _editor(request)
    services.schedule_delete(by=request.user, schedule=schedule)
    messages.success(request, _("Schedule deleted."))
    return redirect("oncall-schedules")
