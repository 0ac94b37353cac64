"""Auto-assignment within a team (round-robin, least loaded, only active staff, narrowed by
the on-call app when it registers), and the "solved at first tier" mark."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role
from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.models import EventKind, Status, TeamAutoAssign, Ticket
from dutydesk.tickets.services import (
    ingest,
    ticket_assign,
    ticket_deescalate,
    ticket_escalate,
    ticket_update,
)
from dutydesk.tickets.services.assignment import availability_register, availability_unregister

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(acme, l1_team, l1_agent):
    second = UserFactory(email="max@support.test", name="Max", role=Role.AGENT, teams=[l1_team])
    gone = UserFactory(email="gone@support.test", role=Role.AGENT, teams=[l1_team], is_active=False)
    client = UserFactory(
        email="odd@acme.test", role=Role.CUSTOMER, organization=acme, teams=[l1_team]
    )
    return l1_agent, second, gone, client


def new_ticket(acme) -> Ticket:
    return ingest(inbound(organization=acme)).ticket


def assignees(tickets: list[Ticket]) -> list[str | None]:
    return [
        (t.assignee.email if t.assignee else None)
        for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("pk")
    ]


def set_mode(team, mode: str) -> None:
    TeamAutoAssign.objects.update_or_create(team=team, defaults={"mode": mode})


def test_off_by_default(acme, anna, members):
    assert new_ticket(acme).assignee is None


def test_round_robin_takes_active_members_in_turn(acme, anna, l1_team, members):
    set_mode(l1_team, "round_robin")

    tickets = [new_ticket(acme) for _ in range(3)]

    assert assignees(tickets) == ["lena@support.test", "max@support.test", "lena@support.test"]
    event = tickets[0].events.get(kind=EventKind.ASSIGNEE)
    assert (event.actor, event.data) == (None, {"auto": "round_robin"})
    assert Delivery.objects.filter(kind="ticket_assigned").count() == 3


def test_least_loaded_picks_the_member_with_fewest_active_tickets(
    acme, anna, l1_team, members, supervisor
):
    lena, max_, _gone, _client = members
    busy = [new_ticket(acme) for _ in range(2)]
    for ticket in busy:
        ticket_assign(ticket=ticket, assignee=lena, by=supervisor)
    done = new_ticket(acme)
    ticket_assign(ticket=done, assignee=max_, by=supervisor)
    ticket_update(ticket=done, by=supervisor, status=Status.RESOLVED)
    set_mode(l1_team, "least_loaded")

    tickets = [new_ticket(acme) for _ in range(3)]

    # Max's resolved ticket does not count: Max, Max, then both have 2 active.
    assert assignees(tickets) == ["max@support.test", "max@support.test", "lena@support.test"]


def test_the_on_call_app_can_narrow_who_is_picked(acme, anna, l1_team, members):
    set_mode(l1_team, "round_robin")
    availability_register(lambda *, team, candidates: candidates.filter(name="Max"))
    try:
        tickets = [new_ticket(acme) for _ in range(2)]
    finally:
        availability_unregister()

    assert assignees(tickets) == ["max@support.test", "max@support.test"]


def test_nobody_available_leaves_the_ticket_unassigned(acme, anna, l1_team):
    set_mode(l1_team, "least_loaded")

    assert new_ticket(acme).assignee is None


# --- solved at first tier -----------------------------------------------------------------


def test_a_ticket_resolved_where_it_was_routed_is_solved_at_first_tier(acme, anna, l1_agent):
    ticket = new_ticket(acme)
    assert ticket.solved_at_first_tier is None

    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)

    assert ticket.solved_at_first_tier is True


def test_an_escalated_ticket_is_not(acme, anna, l1_agent, l1_team, l2_team):
    ticket = new_ticket(acme)
    ticket = ticket_escalate(
        ticket=ticket, by=l1_agent, summary="Disk full", steps_taken="Cleaned /tmp", urgency=""
    )
    ticket = ticket_deescalate(ticket=ticket, by=l1_agent, to_team=l1_team, note="Back to L1")

    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.CLOSED)

    assert ticket.solved_at_first_tier is False


def test_moving_to_a_higher_tier_team_counts_and_is_on_the_timeline(
    acme, anna, supervisor, l2_team
):
    ticket = new_ticket(acme)
    ticket = ticket_update(ticket=ticket, by=supervisor, team=l2_team)
    assert ticket.events.filter(kind=EventKind.TIER, new_value="L2").exists()

    ticket = ticket_update(ticket=ticket, by=supervisor, status=Status.RESOLVED)

    assert ticket.solved_at_first_tier is False


def test_a_reopened_ticket_is_judged_again_when_solved(acme, anna, l1_agent):
    ticket = ticket_update(ticket=new_ticket(acme), by=l1_agent, status=Status.RESOLVED)
    ingest(inbound(ticket_number=ticket.number, subject="", body_text="It broke again."))
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.solved_at_first_tier) == ("open", None)

    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)

    assert ticket.solved_at_first_tier is True
