"""The escalation policy editor: supervisors edit, staff read, problems are flagged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dutydesk.core.models import AuditLog
from dutydesk.oncall.models import EscalationPolicy, EscalationStep, Schedule, Target
from dutydesk.oncall.policies import policy_validate

pytestmark = pytest.mark.django_db


def form_data(steps, *, name="L1 paging", repeat=1, fallback="supervisors", initial=0):
    data = {
        "name": name,
        "repeat": str(repeat),
        "fallback": fallback,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
    }
    for i, step in enumerate(steps):
        # A blank row is what the editor's "new step" row posts when left alone.
        base = {"target": "", "channel": "all", "wait_minutes": "5", "ORDER": ""}
        if step:
            base["ORDER"] = str(i + 1)
        for key, value in {**base, **step}.items():
            data[f"steps-{i}-{key}"] = str(value)
    return data


def url(team="l1"):
    return reverse("oncall-policy", args=[team])


def test_anonymous_and_customer(client, anna, l1_team):
    assert "/login/" in client.get(url())["Location"]
    client.force_login(anna)
    assert client.get(url()).status_code == 403
    assert client.post(url(), form_data([])).status_code == 403


def test_an_agent_reads_but_cannot_save(client, l1_agent, l1_policy):
    client.force_login(l1_agent)
    response = client.get(url())
    assert response.status_code == 200
    assert "L1 duty" in response.content.decode()
    assert 'name="steps-TOTAL_FORMS"' not in response.content.decode()
    assert client.post(url(), form_data([])).status_code == 403
    assert l1_policy.steps.count() == 2


def test_an_unknown_team_is_404(client, supervisor):
    client.force_login(supervisor)
    assert client.get(url("nope")).status_code == 404


def test_a_supervisor_creates_a_policy_with_ordered_steps(
    client, supervisor, l1_team, l1_schedule, l2_agent
):
    client.force_login(supervisor)
    assert 'name="steps-TOTAL_FORMS"' in client.get(url()).content.decode()
    steps = [
        {"target": "user", "user": l2_agent.pk, "channel": "email", "wait_minutes": 10, "ORDER": 2},
        {"target": "schedule", "schedule": l1_schedule.pk, "wait_minutes": 5, "ORDER": 1},
        {},  # the blank row for a new step, left empty
    ]
    response = client.post(url(), form_data(steps))
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(team=l1_team)
    assert (policy.repeat, policy.fallback) == (1, "supervisors")
    assert [(s.target, s.wait_minutes) for s in policy.steps.order_by("position")] == [
        ("schedule", 5),
        ("user", 10),
    ]
    assert AuditLog.objects.filter(action="oncall.policy_created").exists()


def test_a_supervisor_edits_deletes_and_adds(client, supervisor, l1_policy, l2_team):
    client.force_login(supervisor)
    steps = [
        {"target": "schedule", "schedule": l1_policy.steps.get(position=0).schedule_id},
        {"target": "schedule", "schedule": 1, "DELETE": "on"},
        {"target": "team", "team": l2_team.pk, "channel": "telegram", "wait_minutes": 0},
    ]
    response = client.post(url(), form_data(steps, initial=2))
    assert response.status_code == 302
    assert [(s.target, s.channel) for s in l1_policy.steps.order_by("position")] == [
        ("schedule", "all"),
        ("team", "telegram"),
    ]


def test_bad_input_is_a_form_error_next_to_the_field(client, supervisor, l1_policy):
    client.force_login(supervisor)
    steps = [{"target": "schedule"}, {"target": "user", "wait_minutes": "-3"}]
    response = client.post(url(), form_data(steps, repeat="many", initial=2))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose one for this step." in body
    assert body.count('class="errorlist') >= 3  # the step target, the wait, the repeat
    assert l1_policy.steps.count() == 2  # nothing changed


def test_steps_that_never_fire_are_flagged_in_the_editor(client, supervisor, l1_team, l2_agent):
    policy = EscalationPolicy.objects.create(team=l1_team, name="p", repeat=0)
    empty = Schedule.objects.create(team=l1_team, name="Empty rota")
    EscalationStep.objects.create(
        policy=policy, position=0, target=Target.SCHEDULE, schedule=empty, wait_minutes=3000
    )
    EscalationStep.objects.create(
        policy=policy, position=1, target=Target.USER, user=l2_agent, channel="telegram"
    )
    client.force_login(supervisor)
    body = client.get(url()).content.decode()
    assert "The schedule has nobody on call in the next four weeks." in body
    assert "has no Telegram contact" in body
    assert "in practice never" in body  # after a wait of 50 hours


def test_a_wait_longer_than_a_day_flags_the_later_steps(l1_policy):
    l1_policy.steps.filter(position=0).update(wait_minutes=24 * 60 + 1)
    problems = policy_validate(l1_policy)
    assert [p.position for p in problems] == [1]


def test_the_list_costs_the_same_queries_for_more_policies(
    client, l1_agent, l1_policy, l2_team, l2_schedule, django_assert_max_num_queries
):
    client.force_login(l1_agent)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("oncall-policies"))
    policy = EscalationPolicy.objects.create(team=l2_team, name="L2")
    for n in range(3):
        EscalationStep.objects.create(
            policy=policy, position=n, target=Target.SCHEDULE, schedule=l2_schedule
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(reverse("oncall-policies")).content.decode()
    assert "L2 duty" in body and "L1 duty" in body
