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


def test_a_team_of_four_keeps_day_and_night_people_apart(l1_team, supervisor):
    people = [
        UserFactory(email=f"p{i}@support.test", role=Role.AGENT, teams=[l1_team]) for i in range(4)
    ]
    schedule = oncall_demo_seed(teams=[l1_team], users=people)["l1"]
    days, nights = schedule.layers.order_by("level")
    day_people = set(days.members.values_list("user", flat=True))
    night_people = set(nights.members.values_list("user", flat=True))
    assert len(day_people) == len(night_people) == 2
    assert not day_people & night_people
    assert schedule_check(schedule) == []


def test_a_team_of_two_takes_whole_day_duties_in_turn(l1_team, l1_agent):
    second = UserFactory(email="max@support.test", role=Role.AGENT, teams=[l1_team])
    schedule = oncall_demo_seed(teams=[l1_team], users=[l1_agent, second])["l1"]
    (duty,) = schedule.layers.all()
    assert (duty.shift_unit, duty.shift_count, duty.restrict_start) == ("days", 1, None)
