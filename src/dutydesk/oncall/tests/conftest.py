"""On-call fixtures: the L1 team with a day and a night layer, L2 with a weekly rotation,
and the L1 policy of seed 000: the on-call, then L2 after 5 minutes."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from dutydesk.accounts.models import Role
from dutydesk.oncall.models import (
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    LayerParticipant,
    RotationLayer,
    Schedule,
    Target,
)
from dutydesk.testing.factories import UserFactory

MSK = ZoneInfo("Europe/Moscow")
HANDOFF = datetime(2026, 11, 2, 8, 0, tzinfo=MSK)  # a Monday, 08:00
SATURDAY_3AM = datetime(2026, 11, 28, 3, 0, tzinfo=MSK)


def layer(schedule, level, people, *, unit="days", count=1, days=(), start=None, end=None):
    row = RotationLayer.objects.create(
        schedule=schedule,
        level=level,
        shift_unit=unit,
        shift_count=count,
        handoff_at=HANDOFF,
        restrict_days=list(days),
        restrict_start=start,
        restrict_end=end,
    )
    for i, person in enumerate(people):
        LayerParticipant.objects.create(layer=row, user=person, position=i)
    return row


@pytest.fixture
def night_agent(l1_team):
    user = UserFactory(email="nik@support.test", name="Nik", role=Role.AGENT, teams=[l1_team])
    ContactMethod.objects.create(user=user, kind="telegram", address="1001")
    return user


@pytest.fixture
def l1_schedule(l1_team, l1_agent, night_agent):
    schedule = Schedule.objects.create(team=l1_team, name="L1 duty", time_zone="Europe/Moscow")
    layer(schedule, 0, [l1_agent], unit="weeks", days=range(7), start=time(8), end=time(20))
    layer(schedule, 1, [night_agent], days=range(7), start=time(20), end=time(8))
    return schedule


@pytest.fixture
def l2_schedule(l2_team, l2_agent):
    ContactMethod.objects.create(user=l2_agent, kind="telegram", address="2002")
    schedule = Schedule.objects.create(team=l2_team, name="L2 duty", time_zone="Europe/Moscow")
    layer(schedule, 0, [l2_agent], unit="weeks")
    return schedule


@pytest.fixture
def l1_policy(l1_team, l1_schedule, l2_schedule):
    policy = EscalationPolicy.objects.create(team=l1_team, name="L1 paging", repeat=1)
    EscalationStep.objects.create(
        policy=policy, position=0, target=Target.SCHEDULE, schedule=l1_schedule, wait_minutes=5
    )
    EscalationStep.objects.create(
        policy=policy, position=1, target=Target.SCHEDULE, schedule=l2_schedule, wait_minutes=10
    )
    return policy
