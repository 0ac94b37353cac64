"""Schedule pages of the workspace: the list with who is on call now, the calendar (week
or month) with its overrides, checks and feeds, and the monthly fairness. Staff read
every schedule; supervisors, managers and admins edit (``schedule_edit``); anyone on
staff may cover a shift themself, as in the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from dutydesk.accounts.models import User
from dutydesk.oncall import feeds, rotation, selectors, services
from dutydesk.oncall.forms import DAY_CHOICES, OverrideForm
from dutydesk.oncall.models import RotationLayer, Schedule
from dutydesk.oncall.views import calendar, schedule_edit
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.views.queue import staff_required

LOOKAHEAD = timedelta(days=14)


def _viewer_zone(zone: ZoneInfo) -> ZoneInfo | None:
    """The viewer's zone when it differs from the schedule's (else None)."""
    mine = timezone.get_current_timezone()
    now = timezone.now()
    if (
        getattr(mine, "key", None) == zone.key
        or now.astimezone(mine).utcoffset() == now.astimezone(zone).utcoffset()
    ):
        return None
    return mine if isinstance(mine, ZoneInfo) else None


@staff_required
@require_GET
def schedule_list(request: HttpRequest) -> HttpResponse:
    """Every schedule by team, with who is on call now, until when, and who is next."""
    now = timezone.now()
    schedules = list(selectors.schedule_list(user=request.user))
    specs = selectors.schedule_specs(schedules, start=now, end=now + LOOKAHEAD)
    rows = []
    for schedule in schedules:
        upcoming = rotation.shifts(specs[schedule.pk], now, now + LOOKAHEAD)
        current = upcoming[0] if upcoming and upcoming[0].start <= now else None
        following = [
            s for s in upcoming if s is not current and s.user != getattr(current, "user", None)
        ]
        rows.append(
            {
                "schedule": schedule,
                "now": current,
                "next": following[0] if following else None,
                "layers": list(schedule.layers.all()),
            }
        )
    ids = {r[k].user for r in rows for k in ("now", "next") if r[k]}
    names = selectors.people_names(ids)
    for row in rows:
        for key in ("now", "next"):
            if row[key]:
                row[f"{key}_name"] = names.get(row[key].user, "?")
    return render(
        request,
        "oncall/schedules/list.html",
        {
            "rows": rows,
            "can_edit": selectors.can_edit_schedules(request.user),
            "nav": "oncall",
            "subnav": "schedules",
        },
    )


def _anchor(value: str | None, zone: ZoneInfo) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.now().astimezone(zone).date()


def _local(value: str | None) -> str:
    """A prefilled datetime-local value from the query string, or empty when malformed."""
    try:
        return datetime.fromisoformat(value or "").strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return ""


def _override_initial(request: HttpRequest, zone: ZoneInfo) -> dict[str, Any]:
    start, end = _local(request.GET.get("ov_start")), _local(request.GET.get("ov_end"))
    if not start:
        at = timezone.now().astimezone(zone).replace(minute=0, second=0, microsecond=0)
        start = (at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        end = (at + timedelta(hours=13)).strftime("%Y-%m-%dT%H:%M")
    instead = request.GET.get("ov_instead", "")
    return {
        "start": start,
        "end": end,
        "user": request.user.pk,
        "instead_of": instead if instead.isdigit() else "",
    }


def _shift_length(unit: str, n: int) -> str:
    if unit == "hours":
        return ngettext("%(n)s-hour shifts", "%(n)s-hour shifts", n) % {"n": n}
    if unit == "weeks":
        return ngettext("weekly shifts", "%(n)s-week shifts", n) % {"n": n}
    return ngettext("daily shifts", "%(n)s-day shifts", n) % {"n": n}


def _team_ids(schedule: Schedule) -> set[int]:
    return set(schedule.team.members.values_list("pk", flat=True))


def _layer_row(layer: RotationLayer, names: dict[int, str]) -> dict[str, Any]:
    """How a layer reads: its shift length, its window and its people in turn."""
    days = dict(DAY_CHOICES)
    window = ""
    if layer.restrict_days:
        picked = sorted(int(d) for d in layer.restrict_days)
        which = _("every day") if len(picked) == 7 else ", ".join(str(days[str(d)]) for d in picked)
        start = layer.restrict_start.strftime("%H:%M") if layer.restrict_start else ""
        end = layer.restrict_end.strftime("%H:%M") if layer.restrict_end else start
        window = f"{which} {start}–{end}"
    members = sorted(layer.members.all(), key=lambda m: (m.position, m.pk))
    return {
        "layer": layer,
        "shift": _shift_length(layer.shift_unit, layer.shift_count),
        "window": window,
        "people": [names.get(m.user_id) or m.user.display_name for m in members],
    }


def _detail(
    request: HttpRequest, schedule: Schedule, form: OverrideForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    zone = ZoneInfo(schedule.time_zone)
    now = timezone.now()
    view = calendar.MONTH if request.GET.get("view") == calendar.MONTH else calendar.WEEK
    anchor = _anchor(request.GET.get("start"), zone)
    first, after, _p, _n = calendar.period(view, anchor)
    start, end = rotation.wall(first, time(0), zone), rotation.wall(after, time(0), zone)
    spec = selectors.schedule_spec(schedule, start=min(start, now), end=max(end, now))
    upcoming = list(
        schedule.overrides.filter(end__gt=now).select_related("user").order_by("start", "pk")
    )
    layers = list(schedule.layers.all())
    people = selectors.staff_choices()
    names = dict(people) | {o.user_id: o.user.display_name for o in upcoming}
    names |= selectors.people_names({o.user for o in spec.overrides} - set(names))
    base = reverse("oncall-schedule", args=[schedule.pk]) + f"?view={view}&start={first}"
    cal = calendar.build(
        spec=spec,
        layer_names={layer.level: layer.name for layer in layers},
        names=names,
        colours=calendar.person_colours(spec),
        view=view,
        anchor=anchor,
        now=now,
        viewer_zone=_viewer_zone(zone),
        base_url=base,
    )
    on_call = rotation.on_call_at(spec, now)
    can_edit = selectors.can_edit_schedules(user)
    context = {
        "schedule": schedule,
        "cal": cal,
        "view": view,
        "viewer_zone": _viewer_zone(zone),
        "on_call": names.get(on_call) if on_call else None,
        "layer_rows": [_layer_row(layer, names) for layer in layers],
        "warnings": selectors.schedule_check(schedule),
        "overrides": [(o, can_edit or o.user_id == user.pk) for o in upcoming],
        "form": form
        or OverrideForm(
            people=people, team=_team_ids(schedule), initial=_override_initial(request, zone)
        ),
        "can_edit": can_edit,
        "feed_url": feeds.schedule_feed_url(schedule) if can_edit else None,
        "my_feed_url": feeds.person_feed_url(user),
        "nav": "oncall",
        "subnav": "schedules",
    }
    return render(request, "oncall/schedules/detail.html", context, status=status)


@staff_required
@require_GET
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.schedule_get(user=request.user, pk=pk))


@staff_required
@require_POST
def override_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone covers a range entered in the schedule's zone (optionally only one person's
    shifts); the service decides who may give whose shift away."""
    schedule = selectors.schedule_get(user=request.user, pk=pk)
    form = OverrideForm(request.POST, people=selectors.staff_choices(), team=_team_ids(schedule))
    with timezone.override(ZoneInfo(schedule.time_zone)):
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        emails = dict(
            User.objects.filter(pk__in=[data["user"], data["instead_of"]]).values_list(
                "pk", "email"
            )
        )
        try:
            made = services.override_cover(
                by=request.user,
                schedule=schedule,
                user=emails.get(data["user"], ""),
                start=data["start"],
                end=data["end"],
                instead_of=emails.get(data["instead_of"]) if data["instead_of"] else None,
                note=data["note"],
            )
        except ActionRefused as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Override saved: %(n)s shift(s) covered.") % {"n": len(made)},
            )
            start = data["start"].astimezone(ZoneInfo(schedule.time_zone)).date()
            url = reverse("oncall-schedule", args=[pk])
            view = calendar.MONTH if request.GET.get("view") == calendar.MONTH else calendar.WEEK
            return redirect(f"{url}?view={view}&start={start}")
    return _detail(request, schedule, form=form, status=400)


@staff_required
@require_POST
def override_delete(request: HttpRequest, pk: int, oid: int) -> HttpResponse:
    override = selectors.override_get(user=request.user, schedule_pk=pk, pk=oid)
    try:
        services.override_remove(by=request.user, override=override)
    except ActionRefused as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, _("Override removed."))
    return redirect("oncall-schedule", pk=pk)


@staff_required
@require_POST
def feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = selectors.schedule_get(user=request.user, pk=pk)
    if not selectors.can_edit_schedules(request.user):
        raise PermissionDenied(_("Only supervisors and admins can change on-call settings."))
    feeds.schedule_feed_rotate(schedule=schedule, by=request.user)
    messages.success(request, _("New feed address made; the old one no longer works."))
    return redirect(reverse("oncall-schedule", args=[pk]) + "#feeds")


@staff_required
@require_POST
def my_feed_rotate(request: HttpRequest) -> HttpResponse:
    feeds.person_feed_rotate(user=request.user)
    messages.success(request, _("New address of your feed made; the old one no longer works."))
    back = request.POST.get("schedule", "")
    if back.isdigit():
        return redirect(reverse("oncall-schedule", args=[int(back)]) + "#feeds")
    return redirect("oncall-schedules")


def _month(value: str | None, zone: ZoneInfo) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        return timezone.now().astimezone(zone).date().replace(day=1)


@staff_required
@require_GET
def fairness(request: HttpRequest, pk: int) -> HttpResponse:
    """Nights held, night hours and weekend hours per person in a month."""
    schedule = selectors.schedule_get(user=request.user, pk=pk)
    zone = ZoneInfo(schedule.time_zone)
    month = _month(request.GET.get("month"), zone)
    loads = selectors.schedule_fairness(schedule, month=month)
    names = selectors.people_names(set(loads))
    rows = sorted(
        ((names.get(uid, "?"), load) for uid, load in loads.items()), key=lambda r: r[0].lower()
    )
    # Only people who hold nights at all are compared: a day-only layer is not unfair.
    nights = [load.nights for _n, load in rows if load.nights]
    return render(
        request,
        "oncall/schedules/fairness.html",
        {
            "schedule": schedule,
            "month": month,
            "prev": (month - timedelta(days=1)).replace(day=1),
            "next": (month + timedelta(days=32)).replace(day=1),
            "rows": rows,
            "max_nights": max(nights, default=1),
            "max_weekend": max((load.weekend_hours for _n, load in rows), default=0) or 1,
            "uneven": len(nights) > 1 and max(nights) - min(nights) > 2,
            "nav": "oncall",
            "subnav": "schedules",
        },
    )


urlpatterns = [
    path("desk/oncall/schedules/", schedule_list, name="oncall-schedules"),
    path("desk/oncall/schedules/new/", schedule_edit.schedule_new, name="oncall-schedule-new"),
    path("desk/oncall/schedules/<int:pk>/", schedule_detail, name="oncall-schedule"),
    path(
        "desk/oncall/schedules/<int:pk>/edit/",
        schedule_edit.schedule_edit,
        name="oncall-schedule-edit",
    ),
    path(
        "desk/oncall/schedules/<int:pk>/delete/",
        schedule_edit.schedule_remove,
        name="oncall-schedule-delete",
    ),
    path(
        "desk/oncall/schedules/<int:pk>/overrides/",
        override_create,
        name="oncall-schedule-override",
    ),
    path(
        "desk/oncall/schedules/<int:pk>/overrides/<int:oid>/delete/",
        override_delete,
        name="oncall-schedule-override-delete",
    ),
    path("desk/oncall/schedules/<int:pk>/fairness/", fairness, name="oncall-schedule-fairness"),
    path(
        "desk/oncall/schedules/<int:pk>/feed/rotate/",
        feed_rotate,
        name="oncall-schedule-feed-rotate",
    ),
    path(
        "desk/oncall/schedules/my-feed/rotate/",
        my_feed_rotate,
        name="oncall-schedule-my-feed-rotate",
    ),
]
