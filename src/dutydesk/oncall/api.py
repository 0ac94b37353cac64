"""On-call API: schedules with layers and overrides, who is on call now, escalation
policies, pages. Staff read; supervisors and admins write; customers get 403."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from dutydesk.accounts.models import Team, User
from dutydesk.api.errors import ApiError
from dutydesk.api.pagination import keyset_page
from dutydesk.api.schemas import error_responses
from dutydesk.oncall import feeds, paging, policies, selectors, services
from dutydesk.oncall.models import EscalationPolicy, Override, Page, Schedule, ShiftReport
from dutydesk.oncall.rotation import layer_on_call, on_call_at
from dutydesk.oncall.schemas import (
    FeedOut,
    LoadOut,
    NoteIn,
    NowOut,
    OverrideIn,
    OverrideOut,
    PageFilters,
    PageListOut,
    PageOut,
    PolicyIn,
    PolicyOut,
    PolicyPatchIn,
    ScheduleIn,
    ScheduleOut,
    SchedulePatchIn,
    ShiftOut,
    ShiftQuery,
    ShiftReportFilters,
    ShiftReportOut,
    ShiftReportPage,
)
from dutydesk.oncall.shifts import shift_note_set

router = Router(tags=["on-call"])

MAX_RANGE = timedelta(days=400)


def _staff(request: HttpRequest) -> User:
    user = request.auth
    if not (user.is_active and user.is_agent):
        raise ApiError(403, _("Only support staff can do this."))
    return user


def _team(slug: str | None) -> Team:
    team = Team.objects.filter(slug=slug or "").first()
    if team is None:
        raise ApiError(422, _("The request is not valid."), {"team": _("unknown team")})
    return team


def _emails(ids: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))


def _schedule_out(schedule: Schedule, user: User, *, warnings: bool = False) -> dict[str, Any]:
    layers = list(schedule.layers.all())
    return {
        "id": schedule.pk,
        "team": schedule.team.slug,
        "name": schedule.name,
        "time_zone": schedule.time_zone,
        "layers": [
            {
                "id": layer.pk,
                "name": layer.name,
                "level": layer.level,
                "shift_unit": layer.shift_unit,
                "shift_count": layer.shift_count,
                "handoff_at": layer.handoff_at,
                "participants": [
                    m.user.email for m in sorted(layer.members.all(), key=lambda m: m.position)
                ],
                "restrict_days": layer.restrict_days,
                "restrict_start": layer.restrict_start,
                "restrict_end": layer.restrict_end,
            }
            for layer in layers
        ],
        "overrides": [
            {"id": o.pk, "user": o.user.email, "start": o.start, "end": o.end, "note": o.note}
            for o in schedule.overrides.filter(end__gt=timezone.now()).select_related("user")
        ],
        "feed_url": feeds.schedule_feed_url(schedule)
        if selectors.can_edit_schedules(user)
        else None,
        "warnings": [vars(w) for w in selectors.schedule_check(schedule)] if warnings else [],
    }


def _fresh(user: User, pk: int) -> Schedule:
    return selectors.schedule_get(user=user, pk=pk)


# --- schedules ---------------------------------------------------------------------------


@router.get("oncall/schedules", response={200: list[ScheduleOut], **error_responses(403)})
def schedule_list(request: HttpRequest, team: str | None = None) -> list[dict]:
    """Every schedule, or those of one team (by slug)."""
    user = _staff(request)
    schedules = selectors.schedule_list(user=user)
    if team:
        schedules = schedules.filter(team__slug=team)
    return [_schedule_out(s, user) for s in schedules]


@router.post("oncall/schedules", response={201: ScheduleOut, **error_responses(403, 422)})
def schedule_create(request: HttpRequest, payload: ScheduleIn) -> Status:
    """Create a schedule with its layers and overrides; the answer carries edit warnings
    (gaps, back-to-back nights)."""
    user = _staff(request)
    data = payload.model_dump()
    schedule = services.schedule_create(
        by=user,
        team=_team(data.pop("team")),
        name=data["name"],
        time_zone=data["time_zone"],
        layers=data["layers"],
        overrides=data["overrides"],
    )
    return Status(201, _schedule_out(_fresh(user, schedule.pk), user, warnings=True))


@router.get("oncall/schedules/{pk}", response={200: ScheduleOut, **error_responses(403, 404)})
def schedule_detail(request: HttpRequest, pk: int) -> dict:
    user = _staff(request)
    return _schedule_out(selectors.schedule_get(user=user, pk=pk), user, warnings=True)


@router.patch(
    "oncall/schedules/{pk}", response={200: ScheduleOut, **error_responses(403, 404, 422)}
)
def schedule_patch(request: HttpRequest, pk: int, payload: SchedulePatchIn) -> dict:
    """Change name, team or zone; ``layers`` replaces all layers."""
    user = _staff(request)
    schedule = selectors.schedule_get(user=user, pk=pk)
    changes = payload.model_dump(exclude_unset=True)
    if "team" in changes:
        changes["team"] = _team(changes["team"])
    services.schedule_update(by=user, schedule=schedule, **changes)
    return _schedule_out(_fresh(user, pk), user, warnings=True)


@router.delete("oncall/schedules/{pk}", response={204: None, **error_responses(403, 404)})
def schedule_remove(request: HttpRequest, pk: int) -> Status:
    user = _staff(request)
    services.schedule_delete(by=user, schedule=selectors.schedule_get(user=user, pk=pk))
    return Status(204, None)


@router.post(
    "oncall/schedules/{pk}/overrides",
    response={201: OverrideOut, **error_responses(403, 404, 422)},
)
def override_create(request: HttpRequest, pk: int, payload: OverrideIn) -> Status:
    """Someone covers an interval (supervisors for anyone; staff for themselves)."""
    user = _staff(request)
    schedule = selectors.schedule_get(user=user, pk=pk)
    override = services.override_add(by=user, schedule=schedule, **payload.model_dump())
    return Status(
        201,
        {
            "id": override.pk,
            "user": override.user.email,
            "start": override.start,
            "end": override.end,
            "note": override.note,
        },
    )


@router.delete(
    "oncall/schedules/{pk}/overrides/{override_id}",
    response={204: None, **error_responses(403, 404)},
)
def override_delete(request: HttpRequest, pk: int, override_id: int) -> Status:
    user = _staff(request)
    schedule = selectors.schedule_get(user=user, pk=pk)
    override = Override.objects.filter(schedule=schedule, pk=override_id).first()
    if override is None:
        raise ApiError(404, _("Not found."))
    services.override_remove(by=user, override=override)
    return Status(204, None)


@router.get(
    "oncall/schedules/{pk}/shifts",
    response={200: list[ShiftOut], **error_responses(403, 404, 422)},
)
def schedule_shift_list(request: HttpRequest, pk: int, query: Query[ShiftQuery]) -> list[dict]:
    """The final shifts in [start, end), at most 400 days."""
    user = _staff(request)
    schedule = selectors.schedule_get(user=user, pk=pk)
    if not timedelta(0) < query.end - query.start <= MAX_RANGE:
        raise ApiError(422, _("The request is not valid."), {"end": _("0 to 400 days after start")})
    found = selectors.schedule_shifts(schedule, query.start, query.end)
    emails = _emails({s.user for s in found})
    return [
        {"start": s.start, "end": s.end, "user": emails.get(s.user, ""), "source": s.source}
        for s in found
    ]


@router.post(
    "oncall/schedules/{pk}/feed/rotate", response={200: FeedOut, **error_responses(403, 404)}
)
def schedule_feed_rotate(request: HttpRequest, pk: int) -> dict:
    """A new secret iCal URL for the schedule; the old one stops working."""
    user = _staff(request)
    schedule = selectors.schedule_get(user=user, pk=pk)
    if not selectors.can_edit_schedules(user):
        raise ApiError(403, _("Only supervisors and admins can change on-call settings."))
    return {"url": feeds.schedule_feed_rotate(schedule=schedule, by=user)}


@router.get("oncall/me/feed", response={200: FeedOut, **error_responses(403)})
def my_feed(request: HttpRequest) -> dict:
    """The caller's own secret iCal URL with their shifts in every schedule."""
    return {"url": feeds.person_feed_url(_staff(request))}


@router.post("oncall/me/feed/rotate", response={200: FeedOut, **error_responses(403)})
def my_feed_rotate(request: HttpRequest) -> dict:
    return {"url": feeds.person_feed_rotate(user=_staff(request))}


@router.get("oncall/now", response={200: NowOut, **error_responses(403, 422)})
def on_call_now(request: HttpRequest, team: str) -> dict:
    """Who is on call now for the team: per schedule, per layer, and the final result."""
    user = _staff(request)
    found = _team(team)
    now = timezone.now()
    schedules = []
    final = None
    for schedule in selectors.schedule_list(user=user).filter(team=found):
        spec = selectors.schedule_spec(schedule, start=now, end=now + timedelta(seconds=1))
        by_layer = [
            (layer.level, layer.name, layer_on_call(layer, now, spec.zone)) for layer in spec.layers
        ]
        who = on_call_at(spec, now)
        emails = _emails({u for _l, _n, u in by_layer if u} | ({who} if who else set()))
        schedules.append(
            {
                "id": schedule.pk,
                "name": schedule.name,
                "layers": [
                    {"level": lv, "name": name, "user": emails.get(u) if u else None}
                    for lv, name, u in by_layer
                ],
                "final": emails.get(who) if who else None,
            }
        )
        final = final or (emails.get(who) if who else None)
    return {"team": found.slug, "schedules": schedules, "final": final}


# --- policies -----------------------------------------------------------------------------


def _policy_out(policy: EscalationPolicy) -> dict[str, Any]:
    problems = policies.policy_validate(policy)
    by_position = {p.position: p.message for p in problems}
    steps = policy.steps.select_related("user", "team").order_by("position")
    return {
        "id": policy.pk,
        "team": policy.team.slug,
        "name": policy.name,
        "repeat": policy.repeat,
        "fallback": policy.fallback,
        "steps": [
            {
                "position": s.position,
                "target": s.target,
                "schedule": s.schedule_id,
                "user": s.user.email if s.user else None,
                "team": s.team.slug if s.team else None,
                "channel": s.channel,
                "wait_minutes": s.wait_minutes,
                "problem": by_position.get(s.position),
            }
            for s in steps
        ],
        "problems": [p.message for p in problems],
    }


def _policy(user: User, pk: int) -> EscalationPolicy:
    policy = selectors.policy_list(user=user).filter(pk=pk).first()
    if policy is None:
        raise ApiError(404, _("Not found."))
    return policy


@router.get("oncall/policies", response={200: list[PolicyOut], **error_responses(403)})
def policy_list(request: HttpRequest) -> list[dict]:
    """Escalation policies with the steps that can never fire marked."""
    user = _staff(request)
    return [_policy_out(p) for p in selectors.policy_list(user=user)]


@router.post("oncall/policies", response={201: PolicyOut, **error_responses(403, 422)})
def policy_create(request: HttpRequest, payload: PolicyIn) -> Status:
    user = _staff(request)
    data = payload.model_dump()
    team = _team(data.pop("team"))
    policy = services.policy_create(by=user, team=team, **data)
    return Status(201, _policy_out(policy))


@router.get("oncall/policies/{pk}", response={200: PolicyOut, **error_responses(403, 404)})
def policy_detail(request: HttpRequest, pk: int) -> dict:
    return _policy_out(_policy(_staff(request), pk))


@router.patch("oncall/policies/{pk}", response={200: PolicyOut, **error_responses(403, 404, 422)})
def policy_patch(request: HttpRequest, pk: int, payload: PolicyPatchIn) -> dict:
    user = _staff(request)
    policy = services.policy_update(
        by=user, policy=_policy(user, pk), **payload.model_dump(exclude_unset=True)
    )
    return _policy_out(policy)


@router.delete("oncall/policies/{pk}", response={204: None, **error_responses(403, 404)})
def policy_remove(request: HttpRequest, pk: int) -> Status:
    user = _staff(request)
    services.policy_delete(by=user, policy=_policy(user, pk))
    return Status(204, None)


# --- pages ------------------------------------------------------------------------------


def _page_out(page: Page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "ticket": page.ticket.number,
        "team": page.team.slug if page.team else None,
        "reason": page.reason,
        "status": page.status,
        "step_index": page.step_index,
        "repeat": page.repeat,
        "next_step_at": page.next_step_at,
        "created_at": page.created_at,
        "acknowledged_by": page.acknowledged_by.email if page.acknowledged_by else None,
        "acknowledged_at": page.acknowledged_at,
        "resolved_at": page.resolved_at,
    }


@router.get("pages", response={200: PageListOut, **error_responses(403, 422)})
def page_list(request: HttpRequest, filters: Query[PageFilters]) -> dict:
    """Pages of tickets the caller may see, newest first; follow ``next_cursor``."""
    user = _staff(request)
    pages = selectors.page_list(user=user)
    if filters.status:
        pages = pages.filter(status=filters.status)
    if filters.team:
        pages = pages.filter(team__slug=filters.team)
    found = keyset_page(
        pages, keys=("-created_at", "-id"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_page_out(p) for p in found.items], "next_cursor": found.next_cursor}


@router.get("pages/{pk}", response={200: PageOut, **error_responses(403, 404)})
def page_detail(request: HttpRequest, pk: int) -> dict:
    user = _staff(request)
    return _page_out(selectors.page_get(user=user, pk=pk))


@router.post("pages/{pk}/acknowledge", response={200: PageOut, **error_responses(403, 404)})
def page_acknowledge(request: HttpRequest, pk: int) -> dict:
    """Stop the escalation and take the ticket. Acknowledging an acknowledged page changes
    nothing and shows who acknowledged it."""
    user = _staff(request)
    page = paging.page_acknowledge(page=selectors.page_get(user=user, pk=pk), by=user)
    return _page_out(selectors.page_get(user=user, pk=page.pk))


@router.post("pages/{pk}/resolve", response={200: PageOut, **error_responses(403, 404)})
def page_resolve(request: HttpRequest, pk: int) -> dict:
    """Close the page (the ticket stays as it is)."""
    user = _staff(request)
    page = paging.page_resolve(page=selectors.page_get(user=user, pk=pk), by=user)
    return _page_out(selectors.page_get(user=user, pk=page.pk))


# --- shift reports and fairness --------------------------------------------------------------


def _report_out(row: ShiftReport) -> dict[str, Any]:
    return {
        "id": row.pk,
        "schedule": row.schedule_id,
        "user": row.user.email,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "briefing_sent_at": row.briefing_sent_at,
        "handover_sent_at": row.handover_sent_at,
        "note": row.note,
        "briefing": row.briefing,
        "handover": row.handover,
    }


@router.get("oncall/shift-reports", response={200: ShiftReportPage, **error_responses(403, 422)})
def shift_report_list(request: HttpRequest, filters: Query[ShiftReportFilters]) -> dict:
    """Briefings and handover reports, newest shift first; browse by schedule and date."""
    user = _staff(request)
    rows = selectors.shift_report_list(user=user)
    if filters.schedule:
        rows = rows.filter(schedule_id=filters.schedule)
    if filters.day:
        rows = rows.filter(starts_at__date=filters.day)
    found = keyset_page(
        rows, keys=("-starts_at", "-id"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_report_out(r) for r in found.items], "next_cursor": found.next_cursor}


@router.patch(
    "oncall/shift-reports/{pk}", response={200: ShiftReportOut, **error_responses(403, 404, 422)}
)
def shift_report_note(request: HttpRequest, pk: int, payload: NoteIn) -> dict:
    """The outgoing person's note for the next shift, until the handover is sent."""
    user = _staff(request)
    row = selectors.shift_report_list(user=user).filter(pk=pk).first()
    if row is None:
        raise ApiError(404, _("Not found."))
    return _report_out(shift_note_set(report=row, by=user, note=payload.note))


@router.get(
    "oncall/schedules/{pk}/fairness",
    response={200: list[LoadOut], **error_responses(403, 404, 422)},
)
def schedule_fairness(request: HttpRequest, pk: int, month: date) -> list[dict]:
    """Nights held, night hours and weekend hours per person in the month of ``month``."""
    user = _staff(request)
    loads = selectors.schedule_fairness(selectors.schedule_get(user=user, pk=pk), month=month)
    emails = _emails(set(loads))
    return [
        {"user": emails.get(uid, str(uid)), **vars(load)}
        for uid, load in sorted(loads.items(), key=lambda kv: emails.get(kv[0], ""))
    ]
