"""Writes of schedules, overrides and escalation policies (supervisors and admins only).

Input arrives as plain dicts (from the API schemas or the demo); each write is atomic,
validated whole before anything is saved, and audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Team, User
from dutydesk.core.services import audit_record
from dutydesk.oncall.models import (
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    LayerParticipant,
    Override,
    RotationLayer,
    Schedule,
    Target,
)
from dutydesk.oncall.selectors import can_edit_schedules, schedule_shifts
from dutydesk.sla.models import validate_time_zone
from dutydesk.tickets.errors import ActionRefused


def _require_editor(by: User) -> None:
    if not can_edit_schedules(by):
        raise ActionRefused(_("Only supervisors and admins can change on-call settings."))


def _staff(email: str, field: str) -> User:
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not user.is_agent:
        raise ActionRefused(_("The request is not valid."), {field: _("unknown staff member")})
    return user


def _check_zone(zone: str) -> None:
    try:
        validate_time_zone(zone)
    except ValidationError:
        raise ActionRefused(
            _("The request is not valid."), {"time_zone": _("unknown time zone")}
        ) from None


def _check_layers(layers: list[dict[str, Any]]) -> None:
    levels = [layer["level"] for layer in layers]
    if len(set(levels)) != len(levels):
        raise ActionRefused(_("The request is not valid."), {"layers": _("levels must differ")})
    for i, layer in enumerate(layers):
        days = layer.get("restrict_days") or []
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ActionRefused(_("The request is not valid."), {f"layers.{i}": _("days are 0–6")})
        if days and layer.get("restrict_start") is None:
            raise ActionRefused(
                _("The request is not valid."), {f"layers.{i}": _("a window needs its start")}
            )
        if not layer.get("participants"):
            raise ActionRefused(
                _("The request is not valid."), {f"layers.{i}": _("add at least one person")}
            )


def _check_override(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ActionRefused(_("The request is not valid."), {"end": _("must be after the start")})


def _write_layers(schedule: Schedule, layers: list[dict[str, Any]]) -> None:
    schedule.layers.all().delete()
    for i, data in enumerate(layers):
        people = [_staff(e, f"layers.{i}.participants") for e in data["participants"]]
        layer = RotationLayer.objects.create(
            schedule=schedule,
            name=data.get("name", ""),
            level=data["level"],
            shift_unit=data["shift_unit"],
            shift_count=data["shift_count"],
            handoff_at=data["handoff_at"],
            restrict_days=sorted(set(data.get("restrict_days") or [])),
            restrict_start=data.get("restrict_start"),
            restrict_end=data.get("restrict_end"),
        )
        LayerParticipant.objects.bulk_create(
            LayerParticipant(layer=layer, user=person, position=n)
            for n, person in enumerate(people)
        )


@transaction.atomic
def schedule_create(
    *,
    by: User,
    team: Team,
    name: str,
    time_zone: str,
    layers: list[dict[str, Any]] = (),  # type: ignore[assignment]
    overrides: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> Schedule:
    _require_editor(by)
    _check_zone(time_zone)
    _check_layers(list(layers))
    schedule = Schedule.objects.create(team=team, name=name, time_zone=time_zone)
    _write_layers(schedule, list(layers))
    for data in overrides:
        override_add(by=by, schedule=schedule, **data)
    audit_record(actor=by, action="oncall.schedule_created", obj=schedule)
    return schedule


@transaction.atomic
def schedule_update(*, by: User, schedule: Schedule, **changes: Any) -> Schedule:
    """Change name, team, zone; ``layers`` given replaces every layer."""
    _require_editor(by)
    diff = {}
    for field in ("name", "team", "time_zone"):
        if field in changes and changes[field] != getattr(schedule, field):
            if field == "time_zone":
                _check_zone(changes[field])
            diff[field] = (getattr(schedule, field), changes[field])
            setattr(schedule, field, changes[field])
    schedule.save()
    if changes.get("layers") is not None:
        _check_layers(changes["layers"])
        _write_layers(schedule, changes["layers"])
        diff["layers"] = (None, len(changes["layers"]))
    audit_record(actor=by, action="oncall.schedule_updated", obj=schedule, changes=diff)
    return schedule


@transaction.atomic
def schedule_delete(*, by: User, schedule: Schedule) -> None:
    _require_editor(by)
    audit_record(actor=by, action="oncall.schedule_deleted", obj=schedule)
    schedule.delete()


@transaction.atomic
def override_add(
    *, by: User, schedule: Schedule, user: str, start: datetime, end: datetime, note: str = ""
) -> Override:
    """Someone covers [start, end) on the schedule; supervisors, or the person themself."""
    person = _staff(user, "user")
    if not (can_edit_schedules(by) or (by.pk == person.pk and by.is_agent)):
        raise ActionRefused(_("Only supervisors can give someone else's shift away."))
    _check_override(start, end)
    override = Override.objects.create(
        schedule=schedule, user=person, start=start, end=end, note=note
    )
    audit_record(
        actor=by,
        action="oncall.override_added",
        obj=override,
        changes={"user": (None, person.email)},
    )
    return override


@transaction.atomic
def override_cover(
    *,
    by: User,
    schedule: Schedule,
    user: str,
    start: datetime,
    end: datetime,
    instead_of: str | None = None,
    note: str = "",
) -> list[Override]:
    """``user`` covers [start, end); with ``instead_of``, only that person's final shifts
    in the range (one override per run), so the others keep theirs."""
    if not instead_of:
        return [override_add(by=by, schedule=schedule, user=user, start=start, end=end, note=note)]
    _check_override(start, end)
    covered = _staff(instead_of, "instead_of")
    if covered.email == user.strip().lower():
        raise ActionRefused(
            _("The request is not valid."), {"instead_of": _("pick someone else than who covers")}
        )
    runs: list[list[datetime]] = []
    for shift in schedule_shifts(schedule, start, end):
        if shift.user != covered.pk:
            continue
        if runs and runs[-1][1] == shift.start:
            runs[-1][1] = shift.end
        else:
            runs.append([shift.start, shift.end])
    if not runs:
        raise ActionRefused(
            _("The request is not valid."), {"instead_of": _("is not on call in this range")}
        )
    return [
        override_add(by=by, schedule=schedule, user=user, start=a, end=b, note=note)
        for a, b in runs
    ]


@transaction.atomic
def override_remove(*, by: User, override: Override) -> None:
    if not (can_edit_schedules(by) or by.pk == override.user_id):
        raise ActionRefused(_("Only supervisors can remove someone else's override."))
    audit_record(actor=by, action="oncall.override_removed", obj=override)
    override.delete()


# --- escalation policies ---------------------------------------------------------------


def _write_steps(policy: EscalationPolicy, steps: list[dict[str, Any]]) -> None:
    policy.steps.all().delete()
    for i, data in enumerate(steps):
        target = data["target"]
        row = EscalationStep(
            policy=policy,
            position=i,
            target=target,
            channel=data.get("channel", "all"),
            wait_minutes=data.get("wait_minutes", 5),
        )
        field = f"steps.{i}"
        if target == Target.SCHEDULE:
            row.schedule = Schedule.objects.filter(pk=data.get("schedule")).first()
            if row.schedule is None:
                raise ActionRefused(_("The request is not valid."), {field: _("unknown schedule")})
        elif target == Target.USER:
            row.user = _staff(data.get("user") or "", field)
        elif target == Target.TEAM:
            row.team = Team.objects.filter(slug=data.get("team") or "").first()
            if row.team is None:
                raise ActionRefused(_("The request is not valid."), {field: _("unknown team")})
        row.save()


@transaction.atomic
def policy_create(
    *,
    by: User,
    team: Team,
    name: str,
    repeat: int = 2,
    fallback: str = "team",
    steps: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> EscalationPolicy:
    _require_editor(by)
    if EscalationPolicy.objects.filter(team=team).exists():
        raise ActionRefused(_("The request is not valid."), {"team": _("already has a policy")})
    policy = EscalationPolicy.objects.create(team=team, name=name, repeat=repeat, fallback=fallback)
    _write_steps(policy, list(steps))
    audit_record(actor=by, action="oncall.policy_created", obj=policy)
    return policy


@transaction.atomic
def policy_update(*, by: User, policy: EscalationPolicy, **changes: Any) -> EscalationPolicy:
    _require_editor(by)
    diff = {}
    for field in ("name", "repeat", "fallback"):
        if field in changes and changes[field] != getattr(policy, field):
            diff[field] = (getattr(policy, field), changes[field])
            setattr(policy, field, changes[field])
    policy.save()
    if changes.get("steps") is not None:
        _write_steps(policy, changes["steps"])
        diff["steps"] = (None, len(changes["steps"]))
    audit_record(actor=by, action="oncall.policy_updated", obj=policy, changes=diff)
    return policy


@transaction.atomic
def policy_delete(*, by: User, policy: EscalationPolicy) -> None:
    _require_editor(by)
    audit_record(actor=by, action="oncall.policy_deleted", obj=policy)
    policy.delete()


def contact_set(*, user: User, kind: str, address: str) -> None:
    """Register where a person is paged (the Telegram channel calls this on /start)."""
    ContactMethod.objects.update_or_create(
        user=user, kind=kind, defaults={"address": address, "is_active": True}
    )
