import json

import pytest

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import TeamFactory, inbound
from dutydesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

TEMPLATE = {"summary": "Mail is down", "steps_taken": "Restarted postfix"}


@pytest.fixture
def ticket(acme, anna, l2_team):
    return ingest(inbound(organization=acme)).ticket


def escalate(client, ticket, data):
    return client.post(
        f"/api/v1/tickets/{ticket.number}/escalate",
        json.dumps(data),
        content_type="application/json",
    )


def unchanged(ticket) -> bool:
    fresh = Ticket.objects.get(pk=ticket.pk)
    fields = ("team_id", "tier", "assignee_id")
    return (
        all(getattr(fresh, f) == getattr(ticket, f) for f in fields)
        and not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATED).exists()
        and not Message.objects.filter(ticket=ticket, is_internal=True).exists()
    )


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_access(request, ticket, globex, caller, access):
    response = escalate(client_as(request, caller), ticket, TEMPLATE)

    # Customers see the ticket, so they are told they may not escalate it (403).
    expected = {"denied": 401, "hidden": 404, "customer": 403, "staff": 200}[access]
    assert response.status_code == expected
    assert Ticket.objects.get().tier == ("L2" if expected == 200 else "L1")


def test_staff_escalate_to_the_next_tier_and_get_the_ticket(ticket, l1_agent):
    response = escalate(api_client(l1_agent), ticket, {**TEMPLATE, "urgency": "Office down"})

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["team"], body["tier"]) == (ticket.number, "l2", "L2")
    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert "Office down" in note.body_text
    assert "Restarted postfix" in note.body_text


def test_an_explicit_team_by_slug(ticket, supervisor):
    TeamFactory(name="Third line", slug="l3", tier="L3")

    response = escalate(api_client(supervisor), ticket, {**TEMPLATE, "to_team": "l3"})

    assert response.status_code == 200
    assert (response.json()["team"], response.json()["tier"]) == ("l3", "L3")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**TEMPLATE, "to_team": "l9"}, "to_team"),
        ({**TEMPLATE, "to_team": "l1"}, "to_team"),  # not a higher tier
        ({**TEMPLATE, "summary": "  "}, "summary"),
        ({"summary": "Mail is down"}, "steps_taken"),
        ({**TEMPLATE, "urgency": None}, "urgency"),
        ({**TEMPLATE, "priority": "P1"}, "priority"),  # unknown fields are refused
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(ticket, l1_agent, data, field):
    response = escalate(api_client(l1_agent), ticket, data)

    assert response.status_code == 422
    assert field in json.dumps(response.json())
    assert unchanged(ticket)


def test_no_next_tier_is_a_422(ticket, l1_agent, l2_team):
    l2_team.delete()

    response = escalate(api_client(l1_agent), ticket, TEMPLATE)

    assert response.status_code == 422
    assert "to_team" in response.json()["errors"]
    assert unchanged(ticket)
