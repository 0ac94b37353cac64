"""The demo seed builds a schedule and a policy per team: no gaps, nights alternate."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role
from dutydesk.oncall.demo import oncall_demo_seed
from dutydesk.oncall.models import EscalationPolicy, Schedule
from dutydesk.oncall.policies import policy_validate
from dutydesk.oncall.selectors import schedule_check
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_sound_schedules(l1_team, l2_team, l1_agent, l2_agent, supervisor):
    second = UserFactory(email="max@support.test", role=Role.AGENT, teams=[l1_team])
    people = [l1_agent, l2_agent, supervisor, second]
    schedules = oncall_demo_seed(teams=[l1_team, l2_team], users=people)
    assert set(schedules) == {"l1", "l2"}
    assert schedule_check(schedules["l1"]) == []
    # One person in L2 holds every night: the check says so, and there is no gap.
    assert {w.code for w in schedule_check(schedules["l2"])} == {"back_to_back_nights"}
    l1_policy = EscalationPolicy.objects.get(team=l1_team)
    assert [s.target for s in l1_policy.steps.order_by("position")] == [
        "schedule",
        "schedule",
        "supervisors",
    ]
    assert policy_validate(l1_policy) == []
    oncall_demo_seed(teams={"l1": l1_team, "l2": l2_team}, users={u.email: u for u in people})
    assert Schedule.objects.count() == 2
