"""Writes of SLA policies: a policy saved whole with its targets, validated first; open
tickets on it are recomputed after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dutydesk.core.services import audit_record
from dutydesk.sla.models import Policy, PolicyTarget
from dutydesk.sla.recompute import sla_recompute_later
from dutydesk.tickets.models import Priority


def policy_targets_validate(targets: Sequence[PolicyTarget]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.priority not in Priority.values:
            raise ValidationError(
                {"targets": _("Unknown priority %(p)r.") % {"p": target.priority}}
            )
        if target.priority in seen:
            raise ValidationError(
                {"targets": _("Priority %(p)s is listed twice.") % {"p": target.priority}}
            )
        seen.add(target.priority)
        for field in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
            value = getattr(target, field)
            if not isinstance(value, int) or value < 1:
                raise ValidationError(
                    {
                        "targets": _("Every target must be at least one minute (%(p)s).")
                        % {"p": target.priority}
                    }
                )


@transaction.atomic
def policy_save(
    *, policy: Policy, targets: Sequence[PolicyTarget] | None = None, by: Any
) -> Policy:
    """Validate and save the policy; ``targets`` (when given) replace its targets. Audited.

    Raises ValidationError (with field names) and changes nothing when something is wrong.
    """
    policy.full_clean()
    if targets is not None:
        policy_targets_validate(targets)
    created = policy.pk is None
    policy.save()
    if targets is not None:
        policy.targets.all().delete()
        for target in targets:
            target.pk = None
            target.policy = policy
        PolicyTarget.objects.bulk_create(targets)
    audit_record(
        actor=by,
        action=f"policy.{'created' if created else 'changed'}",
        obj=policy,
        changes={"targets": (None, len(targets))} if targets is not None else {},
    )
    sla_recompute_later(policy_ids=[policy.pk])
    return policy
