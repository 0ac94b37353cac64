"""Steps that can never fire are reported by the policy check."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role
from dutydesk.oncall.models import EscalationPolicy, EscalationStep, Schedule, Target
from dutydesk.oncall.policies import policy_validate
from dutydesk.testing.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_good_policy_has_no_problems(l1_policy, supervisor):
    assert policy_validate(l1_policy) == []


def test_steps_that_can_never_fire_are_flagged(l1_team, supervisor):
    policy = EscalationPolicy.objects.create(team=l1_team, name="broken")
    empty = Schedule.objects.create(team=l1_team, name="empty")
    gone = UserFactory(email="gone@support.test", role=Role.AGENT, is_active=False)
    nobody = TeamFactory(slug="ghosts")
    steps = [
        {"target": Target.SCHEDULE, "schedule": empty},
        {"target": Target.SCHEDULE},
        {"target": Target.USER, "user": gone},
        {"target": Target.TEAM, "team": nobody},
        {"target": Target.USER, "user": supervisor, "channel": "telegram"},
    ]
    for i, fields in enumerate(steps):
        EscalationStep.objects.create(policy=policy, position=i, **fields)
    assert [p.position for p in policy_validate(policy)] == [0, 1, 2, 3, 4]


def test_no_supervisors_and_no_steps_are_flagged(l1_team):
    policy = EscalationPolicy.objects.create(team=l1_team, name="p")
    assert [p.position for p in policy_validate(policy)] == [-1]
    EscalationStep.objects.create(policy=policy, target=Target.SUPERVISORS)
    assert [p.position for p in policy_validate(policy)] == [0]
