import json

import pytest

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Channel, Direction, Message, Status
from dutydesk.tickets.services import ingest, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


def reply(client, ticket, data, **headers):
    return client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        json.dumps(data),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_access(request, ticket, globex, caller, access):
    response = reply(client_as(request, caller), ticket, {"body": "Any news?"})

    expected = {"denied": 401, "hidden": 404, "customer": 201, "staff": 201}[access]
    assert response.status_code == expected, response.content
    assert Message.objects.count() == (2 if expected == 201 else 1)


def test_staff_reply_goes_to_the_client(ticket, l1_agent):
    response = reply(api_client(l1_agent), ticket, {"body": "Please restart the client."})

    body = response.json()
    assert response.status_code == 201
    assert (body["direction"], body["internal"], body["ticket"]) == ("out", False, ticket.number)
    assert body["author"]["email"] == "lena@support.test"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None


def test_staff_can_write_an_internal_note(ticket, l1_agent):
    response = reply(api_client(l1_agent), ticket, {"body": "Looks like DNS.", "internal": True})

    assert response.status_code == 201
    note = Message.objects.get(pk=response.json()["id"])
    assert note.is_internal and note.direction == Direction.INTERNAL


def test_a_client_reply_goes_through_ingest(ticket, l1_agent, boris):
    ticket_update(ticket=ticket, by=l1_agent, status=Status.PENDING)

    response = reply(api_client(boris), ticket, {"body": "Still broken."})

    body = response.json()
    assert response.status_code == 201
    assert (body["direction"], body["channel"]) == ("in", Channel.API)
    assert body["author"]["email"] == "boris@acme.test"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # a client message ends the wait


def test_a_client_cannot_write_internal_notes(ticket, anna):
    response = reply(api_client(anna), ticket, {"body": "psst", "internal": True})

    assert response.status_code == 403
    assert Message.objects.count() == 1


@pytest.mark.parametrize("caller", ["anna", "l1_agent"])
def test_an_empty_reply_is_a_422(request, ticket, caller):
    response = reply(client_as(request, caller), ticket, {"body": "  "})

    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    assert Message.objects.count() == 1


def test_unknown_fields_are_a_422(ticket, l1_agent):
    response = reply(api_client(l1_agent), ticket, {"body": "Hi", "cc": "boss@acme.test"})
    assert response.status_code == 422
    assert Message.objects.count() == 1


def test_a_client_reply_retried_with_the_same_key_is_stored_once(ticket, anna):
    client = api_client(anna)

    first = reply(client, ticket, {"body": "More logs attached."}, **{"Idempotency-Key": "r1"})
    again = reply(client, ticket, {"body": "More logs attached."}, **{"Idempotency-Key": "r1"})
    other = reply(client, ticket, {"body": "Something else."}, **{"Idempotency-Key": "r1"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 2
