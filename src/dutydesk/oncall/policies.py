"""Checks of escalation policies: which steps can never reach anyone (Grafana OnCall #934)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.oncall.models import (
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    StepChannel,
    Target,
)
from dutydesk.oncall.paging import supervisors, team_members
from dutydesk.oncall.selectors import schedule_shifts

# A step that waits for more than a day after the page opened will not be reached: somebody
# has acted on the page, or the chain's reminders took over, long before.
NEVER_MINUTES = 24 * 60


@dataclass(frozen=True)
class StepProblem:
    position: int
    message: str


def _step_problem(step: EscalationStep) -> str | None:
    if step.target == Target.SCHEDULE:
        if step.schedule is None:
            return _("No schedule is chosen.")
        now = timezone.now()
        if not schedule_shifts(step.schedule, now, now + timedelta(days=28)):
            return _("The schedule has nobody on call in the next four weeks.")
        return None
    if step.target == Target.USER:
        if step.user is None:
            return _("No person is chosen.")
        if not (step.user.is_active and step.user.is_agent):
            return _("%(who)s is not active staff.") % {"who": step.user}
        if step.channel in (StepChannel.TELEGRAM, StepChannel.WEBHOOK) and not (
            ContactMethod.objects.filter(user=step.user, kind=step.channel, is_active=True).exists()
        ):
            return _("%(who)s has no %(channel)s contact; email will be used instead.") % {
                "who": step.user,
                "channel": step.get_channel_display(),
            }
        return None
    if step.target == Target.TEAM:
        if step.team is None:
            return _("No team is chosen.")
        if not team_members(step.team):
            return _("The team %(team)s has no active members.") % {"team": step.team}
        return None
    if step.target == Target.SUPERVISORS and not supervisors():
        return _("There are no active supervisors.")
    return None


def policy_validate(policy: EscalationPolicy) -> list[StepProblem]:
    """Problems of each step that will not page anyone as written, in step order.

    The chain still falls back to the team or the supervisors at run time; these are
    warnings for the editor, not refusals.
    """
    problems = []
    steps = list(policy.steps.select_related("schedule", "user", "team").order_by("position"))
    if not steps:
        problems.append(StepProblem(-1, _("The policy has no steps: pages go to the fallback.")))
    waited = 0
    for step in steps:
        message = _step_problem(step)
        if message:
            problems.append(StepProblem(step.position, message))
        if waited > NEVER_MINUTES:
            problems.append(
                StepProblem(
                    step.position,
                    _("Reached only %(hours)d hours after the page opens: in practice never.")
                    % {"hours": waited // 60},
                )
            )
        waited += step.wait_minutes
    if steps and all(s.wait_minutes == 0 for s in steps[:-1]) and len(steps) > 1:
        problems.append(
            StepProblem(steps[0].position, _("Every step waits 0 minutes: all fire at once."))
        )
    return problems


__all__ = ["StepProblem", "policy_validate"]
