"""Who is on call now, and my shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from dutydesk.oncall.models import Override, Schedule
from dutydesk.oncall.overview import my_shifts, on_call_overview
from dutydesk.oncall.tests.conftest import HANDOFF, SATURDAY_3AM, layer
from dutydesk.testing.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_night_on_call_with_until_and_next_up(l1_agent, night_agent, l1_policy):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        teams = {t.team.slug: t for t in on_call_overview(user=l1_agent)}
    l1 = teams["l1"].schedules[0]
    assert l1.final.user == night_agent
    assert l1.final.until == SATURDAY_3AM.replace(hour=8)
    assert l1.final.next_user == l1_agent and l1.final.next_at == SATURDAY_3AM.replace(hour=8)
    assert [(x.level, x.slot.user) for x in l1.layers] == [(1, night_agent), (0, None)]
    # The day layer's next shift starts when the night ends.
    assert l1.layers[1].slot.next_user == l1_agent
    assert [m.address for m in l1.final.user.contact_methods.all()] == ["1001"]


def test_an_override_shows_who_covers(l1_agent, night_agent, l2_agent, l1_schedule):
    Override.objects.create(
        schedule=l1_schedule,
        user=l2_agent,
        start=SATURDAY_3AM - timedelta(hours=1),
        end=SATURDAY_3AM + timedelta(hours=2),
    )
    with time_machine.travel(SATURDAY_3AM, tick=False):
        (l1,) = [t for t in on_call_overview(user=l1_agent) if t.team.slug == "l1"]
    slot = l1.schedules[0].final
    assert (slot.user, slot.source) == (l2_agent, "override")
    assert slot.until == SATURDAY_3AM + timedelta(hours=2) and slot.next_user == night_agent


def test_the_page_lists_every_team_and_marks_mine(client, night_agent, l1_policy):
    client.force_login(night_agent)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        response = client.get(reverse("oncall-now"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "First line" in body and "Second line" in body
    assert "You are on call" in body
    assert 'href="tg://user?id=1001"' in body


def test_the_page_costs_the_same_queries_for_more_schedules(
    client, l1_agent, l1_policy, django_assert_max_num_queries
):
    client.force_login(l1_agent)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("oncall-now"))
    for n in range(4):
        team = TeamFactory(name=f"Team {n}", slug=f"t{n}")
        people = [UserFactory(email=f"p{n}{i}@support.test", teams=[team]) for i in range(3)]
        schedule = Schedule.objects.create(team=team, name=f"S{n}")
        layer(schedule, 0, people, unit="days")
        Override.objects.create(
            schedule=schedule, user=people[0], start=HANDOFF, end=HANDOFF + timedelta(days=400)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("oncall-now"))
    assert response.content.decode().count("oncall-schedule-name") == 6


def test_my_shifts_lists_the_next_30_days_and_the_feed(client, night_agent, l1_policy):
    client.force_login(night_agent)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        shifts = my_shifts(user=night_agent)
        response = client.get(reverse("oncall-my-shifts"))
    assert shifts[0].now and shifts[0].end == SATURDAY_3AM.replace(hour=8)
    # Every night of the month (the shift under way, then 30 nights ahead, the last cut).
    assert len(shifts) == 31
    assert all(s.start.astimezone(SATURDAY_3AM.tzinfo).hour == 20 for s in shifts[1:])
    body = response.content.decode()
    assert "/oncall/calendar/" in body and ".ics" in body


def test_my_shifts_without_any(client, supervisor, l1_policy):
    client.force_login(supervisor)
    response = client.get(reverse("oncall-my-shifts"))
    assert response.status_code == 200
    assert "You have no on-call shifts" in response.content.decode()
