from datetime import UTC, datetime

import pytest

from dutydesk.accounts.models import Role
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import TeamFactory, UserFactory, inbound
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from dutydesk.tickets.services import (
    ingest,
    ticket_assign,
    ticket_deescalate,
    ticket_escalate,
)

pytestmark = pytest.mark.django_db

FIRST_RESPONSE_DUE = datetime(2026, 11, 30, 3, 15, tzinfo=UTC)
RESOLUTION_DUE = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme, subject="Mail server down")).ticket


@pytest.fixture
def l3_team(db):
    return TeamFactory(name="Third line", slug="l3", tier="L3", email="l3@support.test")


def escalate(ticket, by, **fields):
    fields = {"summary": "Mail is down", "steps_taken": "Restarted postfix", **fields}
    return ticket_escalate(ticket=ticket, by=by, **fields)


def kinds(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def test_escalation_goes_to_the_next_tier_with_the_template_as_an_internal_note(
    ticket, l1_agent, l2_team
):
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=FIRST_RESPONSE_DUE, resolution_due=RESOLUTION_DUE
    )

    ticket = escalate(ticket, l1_agent, urgency="Whole office without mail")

    assert (ticket.team, ticket.tier) == (l2_team, "L2")
    note = Message.objects.get(ticket=ticket, is_internal=True)
    for field in (
        "Second line (L2)",
        "Mail is down",
        "Restarted postfix",
        "Acme",
        "Anna <anna@acme.test>",
        "Whole office without mail",
        "2026-11-30 03:15",
        "2026-11-30 07:00",
    ):
        assert field in note.body_text
    assert {EventKind.TEAM, EventKind.TIER, EventKind.NOTE, EventKind.ESCALATED} <= set(
        kinds(ticket)
    )
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert (event.old_value, event.new_value) == ("L1", "L2")
    assert AuditLog.objects.filter(action="ticket.escalated", object_id=str(ticket.pk)).exists()


def test_urgency_defaults_to_the_priority(ticket, l1_agent, l2_team):
    escalate(ticket, l1_agent)

    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert f": {ticket.get_priority_display()}" in note.body_text


def test_a_ticket_without_a_tier_counts_as_first_line(ticket, l1_agent, l2_team):
    Ticket.objects.filter(pk=ticket.pk).update(tier="")

    assert escalate(ticket, l1_agent).tier == "L2"


def test_the_first_team_by_name_of_the_next_tier_is_chosen(ticket, l1_agent, l2_team):
    TeamFactory(name="A-team", slug="a-team", tier="L2")

    assert escalate(ticket, l1_agent).team.slug == "a-team"


def test_an_explicit_team_may_skip_a_tier(ticket, l1_agent, l2_team, l3_team):
    ticket = escalate(ticket, l1_agent, to_team=l3_team)

    assert (ticket.team, ticket.tier) == (l3_team, "L3")
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert (event.old_value, event.new_value) == ("L1", "L3")


def test_escalating_to_the_same_or_a_lower_tier_is_refused(ticket, l1_agent):
    other_l1 = TeamFactory(name="Other first line", slug="l1b", tier="L1")

    with pytest.raises(ActionRefused) as refused:
        escalate(ticket, l1_agent, to_team=other_l1)

    assert "to_team" in refused.value.errors


def test_no_next_tier_is_refused(ticket, l1_agent, l3_team):
    Ticket.objects.filter(pk=ticket.pk).update(team=l3_team, tier="L3")

    with pytest.raises(ActionRefused) as refused:
        escalate(ticket, l1_agent)

    assert "to_team" in refused.value.errors
    assert "L3" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"summary": "  "}, "summary"), ({"steps_taken": ""}, "steps_taken")],
)
def test_a_blank_template_field_is_refused_and_nothing_changes(
    ticket, l1_agent, l2_team, fields, field
):
    before = kinds(ticket)

    with pytest.raises(ActionRefused) as refused:
        escalate(ticket, l1_agent, **fields)

    assert field in refused.value.errors
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.team_id, fresh.tier) == (ticket.team_id, "L1")
    assert kinds(ticket) == before
    assert not Message.objects.filter(ticket=ticket, is_internal=True).exists()


def test_a_customer_cannot_escalate(ticket, anna, l2_team):
    with pytest.raises(ActionRefused):
        escalate(ticket, anna)


def test_the_assignee_stays_when_a_member_of_the_target_team(ticket, l1_agent, l2_team):
    both = UserFactory(email="bo@support.test", role=Role.AGENT, teams=[ticket.team, l2_team])
    ticket_assign(ticket=ticket, assignee=both, by=both)

    assert escalate(ticket, l1_agent).assignee == both


def test_the_assignee_is_cleared_when_not_a_member_of_the_target_team(ticket, l1_agent, l2_team):
    ticket_assign(ticket=ticket, assignee=l1_agent, by=l1_agent)

    ticket = escalate(ticket, l1_agent)

    assert ticket.assignee is None
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).last()
    assert (event.old_value, event.new_value) == (l1_agent.email, "")


def test_sla_dues_are_unchanged_across_escalation(ticket, l1_agent, l2_team, l3_team):
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=FIRST_RESPONSE_DUE, resolution_due=RESOLUTION_DUE
    )
    ticket.refresh_from_db()
    before = (ticket.first_response_due, ticket.next_response_due, ticket.resolution_due)

    escalate(ticket, l1_agent)
    escalate(ticket, l1_agent)

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.tier == "L3"
    assert (fresh.first_response_due, fresh.next_response_due, fresh.resolution_due) == before


def test_the_target_team_is_sent_the_note(ticket, l1_agent, l2_team):
    l2_team.email = "l2@support.test"
    l2_team.save()

    escalate(ticket, l1_agent)

    delivery = Delivery.objects.get(kind="ticket_escalated")
    assert delivery.recipient == "l2@support.test"
    assert "Restarted postfix" in delivery.body
    assert ticket.reference in delivery.subject


def test_de_escalation_returns_the_ticket_with_a_note(ticket, l1_agent, l2_agent, l2_team):
    l1_team = ticket.team
    escalate(ticket, l1_agent)

    ticket = ticket_deescalate(
        ticket=ticket, by=l2_agent, to_team=l1_team, note="Password reset, first line job"
    )

    assert (ticket.team, ticket.tier) == (l1_team, "L1")
    assert Message.objects.filter(
        ticket=ticket, is_internal=True, body_text="Password reset, first line job"
    ).exists()
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.DEESCALATED)
    assert (event.old_value, event.new_value) == ("L2", "L1")


def test_de_escalation_to_a_higher_tier_or_without_a_note_is_refused(
    ticket, l1_agent, l2_team, l3_team
):
    with pytest.raises(ActionRefused) as refused:
        ticket_deescalate(ticket=ticket, by=l1_agent, to_team=l3_team, note="why")
    assert "to_team" in refused.value.errors

    escalate(ticket, l1_agent)
    with pytest.raises(ActionRefused) as refused:
        ticket_deescalate(ticket=ticket, by=l1_agent, to_team=ticket.team, note=" ")
    assert "note" in refused.value.errors
