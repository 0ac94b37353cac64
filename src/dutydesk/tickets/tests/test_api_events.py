import pytest

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_access(request, ticket, globex, caller, access):
    response = client_as(request, caller).get(f"/api/v1/tickets/{ticket.number}/events")

    expected = {"denied": 401, "hidden": 404, "customer": 200, "staff": 200}[access]
    assert response.status_code == expected
    if access == "customer":
        assert response.json() == []  # the timeline is internal
    if access == "staff":
        assert [e["kind"] for e in response.json()] == ["created"]


def test_the_timeline_lists_changes_in_order_with_their_actor(ticket, l1_agent):
    ticket_update(ticket=ticket, by=l1_agent, priority="P1")

    events = api_client(l1_agent).get(f"/api/v1/tickets/{ticket.number}/events").json()

    assert [(e["kind"], e["actor"]) for e in events] == [
        ("created", "anna@acme.test"),
        ("priority", "lena@support.test"),
    ]
    assert (events[1]["old_value"], events[1]["new_value"]) == ("P3", "P1")
