"""Writes of monitoring: recording results, creating and changing checks, heartbeats."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cronsim import CronSim, CronSimError
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, User
from dutydesk.channels.alerts.models import Integration
from dutydesk.core.services import audit_record
from dutydesk.core.zones import zone_or_none
from dutydesk.monitoring.incidents import incident_open, incident_recover
from dutydesk.monitoring.kinds import config_normalize
from dutydesk.monitoring.maintenance import any_active
from dutydesk.monitoring.models import (
    Check,
    CheckResult,
    Kind,
    MaintenanceWindow,
    Recurrence,
    State,
    StateChange,
    StatusGroup,
)
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.schedule import heartbeat_next_due
from dutydesk.monitoring.state import Transition, state_apply
from dutydesk.monitoring.writes import results_insert, state_update

log = logging.getLogger(__name__)

STATE_FIELDS = [
    "state",
    "state_since",
    "consecutive_failures",
    "consecutive_successes",
    "last_run_at",
    "last_ok",
    "last_latency_ms",
    "last_message",
    "outage_started_at",
]


def windows_by_organization(organization_ids: Iterable[int]) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for window in MaintenanceWindow.objects.filter(organization_id__in=set(organization_ids)):
        grouped[window.organization_id].append(window)
    return grouped


def results_record(
    batch: Sequence[tuple[Check, Outcome, datetime]], *, force_down: bool = False
) -> list[tuple[Check, Transition]]:
    """Store a batch of probe results: raw rows, check state, state changes, incidents.

    The rows are written in one transaction; incidents open (or resolve) afterwards, one
    transaction each, so a failing ticket write never loses the results.
    """
    if not batch:
        return []
    windows = windows_by_organization(check.organization_id for check, _o, _a in batch)
    results: list[CheckResult] = []
    changes: list[StateChange] = []
    transitions: list[tuple[Check, Transition]] = []
    before = [(check, [getattr(check, name) for name in STATE_FIELDS]) for check, _o, _a in batch]
    for check, outcome, at in batch:
        maintenance = any_active(windows.get(check.organization_id, ()), at, check.pk)
        status, transition = state_apply(
            check, outcome, at, maintenance=maintenance, force_down=force_down
        )
        results.append(
            CheckResult(
                check_ref=check,
                at=at,
                status=status,
                ok=outcome.ok,
                latency_ms=outcome.latency_ms,
                message=outcome.message[:500],
            )
        )
        if transition is not None:
            transitions.append((check, transition))
            changes.append(
                StateChange(
                    check_ref=check,
                    at=at,
                    old=transition.old,
                    new=transition.new,
                    message=transition.message,
                )
            )
    try:
        with transaction.atomic():
            results_insert(results)
            state_update([c for c, _o, _a in batch], STATE_FIELDS)
            StateChange.objects.bulk_create(changes)
    except BaseException:
        # Nothing was written: put the checks back as they were, so that the caller can
        # record the same batch again without counting a failure twice.
        for check, values in before:
            for name, value in zip(STATE_FIELDS, values, strict=True):
                setattr(check, name, value)
        raise
    for check, transition in transitions:
        transition_act(check=check, transition=transition)
    return transitions


def rows_update(checks: list[Check], names: list[str]) -> None:
    """Write ``names`` of the checks in one statement per batch (see ``writes``)."""
    state_update(checks, names)


def transition_act(*, check: Check, transition: Transition) -> None:
    """Open an incident when a check goes down, resolve it when it comes back up."""
    try:
        if transition.new == State.DOWN:
            ticket = incident_open(check=check, at=transition.at, reason=transition.message)
            StateChange.objects.filter(check_ref=check, at=transition.at, new=State.DOWN).update(
                incident=ticket
            )
        elif transition.new == State.UP and check.incident_id and check.recovered_at is None:
            incident_recover(check=check, at=transition.at, reason=transition.message)
    except Exception:
        # The state is recorded; the next transition or the admin will see the error.
        log.exception("monitoring: incident for check %s failed", check.pk)


# --- checks -----------------------------------------------------------------------------

EDITABLE = (
    "name",
    "config",
    "interval_seconds",
    "timeout_seconds",
    "alert_after",
    "recover_after",
    "component",
    "priority",
    "resolve_on_recovery",
    "is_paused",
)


def _schedule_first(check: Check, now: datetime) -> None:
    if check.kind == Kind.HEARTBEAT:
        check.next_run_at = None
        check.next_due_at = heartbeat_next_due(check, now)
    else:
        # Spread new checks over their first interval so that bulk imports do not
        # all fire in the same second.
        check.next_run_at = now + timedelta(
            seconds=random.uniform(0, min(check.interval_seconds, 5))  # noqa: S311
        )
        check.next_due_at = None


@transaction.atomic
def check_create(*, organization: Organization, by: User | None, kind: str, **fields) -> Check:
    """A new check, validated (``ConfigError`` / ``ValidationError``) and scheduled."""
    fields["config"] = config_normalize(kind, fields.get("config", {}))
    check = Check(organization=organization, kind=kind, **fields)
    check.full_clean(exclude=["incident"])
    _schedule_first(check, timezone.now())
    check.save()
    audit_record(actor=by, action="monitoring.check_created", obj=check, organization=organization)
    return check


@transaction.atomic
def check_update(*, check: Check, by: User | None, **changes) -> Check:
    check = Check.objects.select_for_update().get(pk=check.pk)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "config" in changes:
        changes["config"] = config_normalize(check.kind, changes["config"])
    diff = {k: (getattr(check, k), v) for k, v in changes.items() if getattr(check, k) != v}
    for field, value in changes.items():
        setattr(check, field, value)
    check.full_clean(exclude=["incident"])
    if "is_paused" in diff and not check.is_paused:
        _schedule_first(check, timezone.now())
    if "is_paused" in diff and check.is_paused:
        check.state, check.state_since = State.UNKNOWN, timezone.now()
    check.save()
    if diff:
        audit_record(
            actor=by,
            action="monitoring.check_updated",
            obj=check,
            organization=check.organization,
            changes={k: [str(a), str(b)] for k, (a, b) in diff.items()},
        )
    return check


@transaction.atomic
def check_delete(*, check: Check, by: User | None) -> None:
    audit_record(
        actor=by, action="monitoring.check_deleted", obj=check, organization=check.organization
    )
    check.delete()


# --- maintenance windows ----------------------------------------------------------------


def _maintenance_errors(window: MaintenanceWindow) -> dict[str, str]:
    errors: dict[str, str] = {}
    if zone_or_none(window.time_zone) is None:
        errors["time_zone"] = _("Unknown time zone.")
    if window.check_ref is not None and window.check_ref.organization_id != window.organization_id:
        errors["check"] = _("The check belongs to another organisation.")
    if (
        window.integration is not None
        and window.integration.organization_id != window.organization_id
    ):
        errors["integration"] = _("The integration belongs to another organisation.")
    if window.check_ref is not None and window.integration is not None:
        errors["integration"] = _("A window is for a check or for an integration, not both.")
    if window.starts_at and window.ends_at and window.ends_at <= window.starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if window.recurrence == Recurrence.ONCE and not (window.starts_at and window.ends_at):
        errors["starts_at"] = _("A one-off window needs a start and an end.")
    if window.recurrence == Recurrence.WEEKLY:
        if not window.weekdays or not all(
            isinstance(d, int) and 1 <= d <= 7 for d in window.weekdays
        ):
            errors["weekdays"] = _("Give weekdays from 1 (Monday) to 7 (Sunday).")
        if window.start_time is None:
            errors["start_time"] = _("A weekly window needs a start time.")
    if window.recurrence == Recurrence.CRON:
        try:
            CronSim(window.cron, timezone.now())
        except (CronSimError, ValueError):
            errors["cron"] = _("Not a valid cron expression.")
    return errors


@transaction.atomic
def maintenance_create(
    *,
    organization: Organization,
    by: User | None,
    check: Check | None = None,
    integration: Integration | None = None,
    **fields,
) -> MaintenanceWindow:
    """A maintenance window of the organisation, one check or one alert integration;
    ``ValidationError`` (field -> reason) when it cannot be."""
    window = MaintenanceWindow(
        organization=organization, check_ref=check, integration=integration, **fields
    )
    if errors := _maintenance_errors(window):
        raise ValidationError(errors)
    window.full_clean()
    window.save()
    audit_record(
        actor=by, action="monitoring.maintenance_created", obj=window, organization=organization
    )
    return window


@transaction.atomic
def maintenance_delete(*, window: MaintenanceWindow, by: User | None) -> None:
    audit_record(
        actor=by,
        action="monitoring.maintenance_deleted",
        obj=window,
        organization=window.organization,
    )
    window.delete()


@transaction.atomic
def check_run_soon(*, check: Check, by: User | None) -> Check:
    """Make the runner probe the check on its next pass instead of at its next interval."""
    if check.kind == Kind.HEARTBEAT or check.is_paused:
        raise ValidationError(_("Only an active check that the runner probes can run now."))
    now = timezone.now()
    Check.objects.filter(pk=check.pk).update(next_run_at=now)
    check.next_run_at = now
    audit_record(
        actor=by,
        action="monitoring.check_run_requested",
        obj=check,
        organization=check.organization,
    )
    return check


# --- status page groups -----------------------------------------------------------------


@transaction.atomic
def status_group_create(
    *, organization: Organization, by: User | None, name: str, slug: str, components: list[str]
) -> StatusGroup:
    """A public status page of some components at /status/<organisation>/<slug>."""
    known = set(
        Check.objects.filter(organization=organization)
        .exclude(component="")
        .values_list("component", flat=True)
    )
    errors: dict[str, str] = {}
    unknown = [c for c in components if c not in known]
    if not components:
        errors["components"] = _("Choose at least one component.")
    elif unknown:
        errors["components"] = _("No check of the organisation has the component %(names)s.") % {
            "names": ", ".join(unknown)
        }
    if StatusGroup.objects.filter(organization=organization, slug=slug).exists():
        errors["slug"] = _("The organisation already has a page at this address.")
    if errors:
        raise ValidationError(errors)
    group = StatusGroup(organization=organization, name=name, slug=slug, components=components)
    group.full_clean(exclude=["organization"])
    group.save()
    audit_record(
        actor=by, action="monitoring.status_group_created", obj=group, organization=organization
    )
    return group


@transaction.atomic
def status_group_delete(*, group: StatusGroup, by: User | None) -> None:
    audit_record(
        actor=by,
        action="monitoring.status_group_deleted",
        obj=group,
        organization=group.organization,
    )
    group.delete()
