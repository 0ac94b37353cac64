import json

import pytest
from django.test import override_settings

from dutydesk.accounts.models import User
from dutydesk.api.tests.client import api_client, client_as
from dutydesk.core.models import AuditLog
from dutydesk.tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets"


def payload(**fields) -> dict:
    data = {
        "organization": "acme",
        "subject": "Printer on floor 3 is offline",
        "body": "It shows error 49.",
        "requester": {"email": "anna@acme.test", "name": "Anna"},
    }
    data.update(fields)
    return data


def post(client, data, **headers):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("anonymous", 401),
        ("gina", 422),  # acme is not an organisation she can see: a field error
        ("boris", 201),
        ("l2_agent", 201),  # staff may file for any client (organization_list)
        ("l1_agent", 201),
        ("supervisor", 201),
    ],
)
def test_access(request, acme, anna, caller, expected):
    client = client_as(request, caller)
    data = payload(requester=None) if caller in ("gina", "boris") else payload()

    response = post(client, data)

    assert response.status_code == expected, response.content
    if expected == 422:
        assert response.json()["errors"] == {"organization": "unknown organisation"}
    assert Ticket.objects.count() == (1 if expected == 201 else 0)


def test_create_opens_an_api_ticket_and_answers_201_with_it(acme, anna, l1_agent):
    response = post(api_client(l1_agent), payload(priority="P2", type="incident", category="print"))

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["number"] == ticket.number
    assert body["status"] == "new"
    assert body["priority"] == "P2"
    assert body["type"] == "incident"
    assert body["category"] == "print"
    assert body["organization"] == "acme"
    assert body["team"] == "l1"
    assert body["tier"] == "L1"
    assert body["requester"] == {"email": "anna@acme.test", "name": "Anna"}
    assert body["created_at"] and body["updated_at"]
    assert "Idempotent-Replayed" not in response
    assert ticket.channel == Channel.API
    assert ticket.requester == anna
    assert ticket.messages.get().body_text == "It shows error 49."
    assert AuditLog.objects.get(action="ticket.created").actor == l1_agent


def test_priority_comes_from_routing_when_omitted(acme, anna):
    body = post(api_client(anna), payload(requester=None)).json()
    assert body["priority"] == "P3"


def test_a_customer_files_in_their_own_name_by_default(acme, anna, boris):
    response = post(api_client(boris), payload(requester=None))

    assert response.status_code == 201
    assert response.json()["requester"]["email"] == "boris@acme.test"


def test_a_customer_cannot_file_in_someone_elses_name(acme, anna, boris):
    response = post(api_client(boris), payload(requester={"email": "anna@acme.test"}))

    assert response.status_code == 422
    assert "requester" in response.json()["errors"]
    assert Ticket.objects.count() == 0


def test_staff_must_name_the_requester(acme, l1_agent):
    response = post(api_client(l1_agent), payload(requester=None))

    assert response.status_code == 422
    assert response.json()["errors"] == {"requester": "required"}


def test_staff_can_file_for_a_new_contact_of_the_client(acme, l1_agent):
    response = post(api_client(l1_agent), payload(requester={"email": "New@Acme.test"}))

    assert response.status_code == 201
    contact = User.objects.get(email="new@acme.test")
    assert (contact.role, contact.organization) == ("customer", acme)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, None),
        ("[1, 2]", 422, None),
        ('"a string"', 422, None),
        (payload(colour="red"), 422, "colour"),
        (payload(priority="P9"), 422, "priority"),
        (payload(type="rumour"), 422, "type"),
        (payload(subject=42), 422, "subject"),
        (payload(subject="x" * 256), 422, "subject"),
        (payload(subject="a\u0000b"), 422, "subject"),  # PostgreSQL cannot store NUL
        (payload(body="\ud800"), 422, "body"),  # a lone surrogate is not text
        (payload(requester={"email": "anna@acme.test", "role": "admin"}), 422, "role"),
        ({k: v for k, v in payload().items() if k != "body"}, 422, "body"),
    ],
)
def test_malformed_input_is_refused_by_the_schema_and_changes_nothing(
    acme, anna, l1_agent, body, status, field
):
    response = post(api_client(l1_agent), body)

    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert detail
    if field:
        assert any(error["loc"][-1] == field for error in detail)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"organization": "no-such-client"}, "organization"),
        ({"organization": "globex"}, "requester"),  # anna is acme's
        ({"subject": "   "}, "subject"),
        ({"body": ""}, "body"),
        ({"requester": {"email": "not an address"}}, "requester"),
    ],
)
def test_invalid_input_is_a_422_with_field_errors_and_changes_nothing(
    acme, globex, anna, l1_agent, fields, error_field
):
    response = post(api_client(l1_agent), payload(**fields))

    assert response.status_code == 422, response.content
    body = response.json()
    assert isinstance(body["detail"], str)
    assert error_field in body["errors"]
    assert Ticket.objects.count() == 0


def test_a_50_mb_body_is_a_413(acme, anna):
    huge = json.dumps(payload(requester=None, body="x" * (50 * 1024 * 1024)))

    response = post(api_client(anna), huge)

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert Ticket.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_body_over_the_configured_limit_is_a_413(acme, anna):
    response = post(api_client(anna), payload(requester=None, body="x" * (2 * 1024 * 1024)))

    assert response.status_code == 413
    assert Ticket.objects.count() == 0


def test_a_retry_with_the_same_idempotency_key_returns_the_same_ticket(acme, anna):
    client = api_client(anna)

    first = post(client, payload(requester=None), **{"Idempotency-Key": "order-7"})
    again = post(client, payload(requester=None), **{"Idempotency-Key": "order-7"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["number"] == first.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_409(acme, anna):
    client = api_client(anna)
    post(client, payload(requester=None), **{"Idempotency-Key": "order-7"})

    response = post(
        client, payload(requester=None, subject="Another thing"), **{"Idempotency-Key": "order-7"}
    )

    assert response.status_code == 409
    assert response.json()["errors"] == {"source_id": "already used with different content"}
    assert Ticket.objects.count() == 1


def test_idempotency_keys_belong_to_the_caller(acme, anna, boris):
    same = payload(requester=None)
    first = post(api_client(anna), same, **{"Idempotency-Key": "k"})
    second = post(api_client(boris), same, **{"Idempotency-Key": "k"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["number"] != second.json()["number"]


def test_without_a_key_every_post_opens_a_ticket(acme, anna):
    client = api_client(anna)
    post(client, payload(requester=None))
    post(client, payload(requester=None))
    assert Ticket.objects.count() == 2


def test_an_overlong_idempotency_key_is_a_422(acme, anna):
    response = post(api_client(anna), payload(requester=None), **{"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert Ticket.objects.count() == 0
