import json

import pytest

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import EventKind, Status, Ticket, TicketEvent
from dutydesk.tickets.services import ingest, ticket_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


def patch(client, ticket, data):
    return client.patch(
        f"/api/v1/tickets/{ticket.number}", json.dumps(data), content_type="application/json"
    )


def unchanged(ticket) -> bool:
    fresh = Ticket.objects.get(pk=ticket.pk)
    fields = ("status", "priority", "type", "category", "tier", "team_id", "assignee_id")
    return all(getattr(fresh, f) == getattr(ticket, f) for f in fields) and (
        not TicketEvent.objects.exclude(kind=EventKind.CREATED).exists()
    )


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_access(request, ticket, globex, caller, access):
    response = patch(client_as(request, caller), ticket, {"priority": "P1"})

    # Customers can see the ticket, so they are told they may not change it (403).
    expected = {"denied": 401, "hidden": 404, "customer": 403, "staff": 200}[access]
    assert response.status_code == expected
    assert Ticket.objects.get().priority == ("P1" if expected == 200 else "P3")


def test_staff_change_fields_and_get_the_updated_ticket(ticket, l1_agent):
    response = patch(
        api_client(l1_agent),
        ticket,
        {"status": "pending", "priority": "P2", "type": "incident", "category": "network"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["priority"], body["type"], body["category"]) == (
        "pending",
        "P2",
        "incident",
        "network",
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.PENDING, "P2")


def test_team_by_slug_and_assignee_by_email(ticket, l1_agent, l2_agent, supervisor):
    response = patch(
        api_client(supervisor), ticket, {"team": "l2", "assignee": "OLEG@support.test"}
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["team"], body["tier"]) == ("l2", "L2")
    assert body["assignee"]["email"] == "oleg@support.test"
    ticket.refresh_from_db()
    assert (ticket.team.slug, ticket.assignee) == ("l2", l2_agent)


def test_null_clears_team_and_assignee(ticket, l1_agent):
    ticket_assign(ticket=ticket, assignee=l1_agent, by=l1_agent)

    response = patch(api_client(l1_agent), ticket, {"team": None, "assignee": None})

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (None, None)


def test_an_agent_who_hands_the_ticket_away_still_gets_the_answer(ticket, l1_agent, l2_team):
    response = patch(api_client(l1_agent), ticket, {"team": "l2"})

    assert response.status_code == 200
    assert response.json()["team"] == "l2"
    assert api_client(l1_agent).get(f"/api/v1/tickets/{ticket.number}").status_code == 404


def test_an_empty_patch_changes_nothing(ticket, l1_agent):
    response = patch(api_client(l1_agent), ticket, {})
    assert response.status_code == 200
    assert unchanged(ticket)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"team": "l9"}, "team"),
        ({"assignee": "nobody@support.test"}, "assignee"),
        ({"assignee": "anna@acme.test"}, "assignee"),  # a customer cannot be assigned
        # One bad field spoils the whole request: the valid change is not applied either.
        ({"priority": "P1", "assignee": "anna@acme.test"}, "assignee"),
        ({"status": "resolved", "team": "l9"}, "team"),
    ],
)
def test_unknown_team_or_assignee_is_a_422_and_changes_nothing(ticket, l1_agent, data, field):
    response = patch(api_client(l1_agent), ticket, data)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert unchanged(ticket)


@pytest.mark.parametrize(
    "data",
    [
        {"priority": "P9"},
        {"priority": None},
        {"status": None},
        {"category": None},
        {"tier": "L7"},
        {"subject": "Rewritten"},
        {"number": 1},
    ],
)
def test_invalid_or_unknown_fields_are_a_422_and_change_nothing(ticket, l1_agent, data):
    response = patch(api_client(l1_agent), ticket, data)

    assert response.status_code == 422
    assert unchanged(ticket)
