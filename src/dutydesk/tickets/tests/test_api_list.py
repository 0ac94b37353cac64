from datetime import UTC, datetime

import pytest
import time_machine

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest, ticket_assign, ticket_update

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets"


def numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_each_caller_lists_only_the_tickets_they_may_see(request, ticket, globex, caller, access):
    response = client_as(request, caller).get(URL)

    if access == "denied":
        assert response.status_code == 401
        return
    listed = numbers(response)
    assert (ticket.number in listed) == (access != "hidden")


def test_a_list_item_names_related_objects_by_their_keys(ticket, supervisor):
    item = api_client(supervisor).get(URL).json()["items"][0]

    assert item["number"] == ticket.number
    assert item["organization"] == "acme"
    assert item["team"] == "l1"
    assert item["requester"] == {"email": "anna@acme.test", "name": "Anna"}
    assert item["assignee"] is None
    assert {"status", "priority", "type", "category", "tier", "created_at", "updated_at"} <= set(
        item
    )


def test_customers_are_not_shown_the_internal_team(ticket, boris):
    item = api_client(boris).get(URL).json()["items"][0]
    assert item["team"] is None


def test_filters_by_status_priority_organization_and_team(acme, globex, anna, gina, supervisor):
    urgent = ingest(inbound(organization=acme, priority="P1")).ticket
    normal = ingest(inbound(organization=acme, priority="P3")).ticket
    other = ingest(inbound(organization=globex, sender_email="gina@globex.test")).ticket
    ticket_update(ticket=normal, by=supervisor, status="pending")
    client = api_client(supervisor)

    assert numbers(client.get(URL, {"priority": "P1"})) == [urgent.number]
    assert numbers(client.get(URL, {"status": "pending"})) == [normal.number]
    assert numbers(client.get(URL, {"organization": "globex"})) == [other.number]
    assert numbers(client.get(URL, {"team": "l2"})) == [other.number]
    assert numbers(client.get(URL, {"organization": "nobody"})) == []


def test_filters_by_assignee_me_none_or_email(acme, anna, l1_agent, supervisor):
    mine = ingest(inbound(organization=acme)).ticket
    theirs = ingest(inbound(organization=acme)).ticket
    nobodys = ingest(inbound(organization=acme)).ticket
    ticket_assign(ticket=mine, assignee=l1_agent, by=l1_agent)
    ticket_assign(ticket=theirs, assignee=supervisor, by=supervisor)
    client = api_client(l1_agent)

    assert numbers(client.get(URL, {"assignee": "me"})) == [mine.number]
    assert numbers(client.get(URL, {"assignee": "none"})) == [nobodys.number]
    assert numbers(client.get(URL, {"assignee": "SVETA@support.test"})) == [theirs.number]


def test_filters_by_updated_since(acme, anna, supervisor):
    with time_machine.travel(datetime(2025, 3, 1, 12, tzinfo=UTC), tick=False):
        old = ingest(inbound(organization=acme)).ticket
    with time_machine.travel(datetime(2025, 3, 5, 12, tzinfo=UTC), tick=False):
        new = ingest(inbound(organization=acme)).ticket
    client = api_client(supervisor)

    assert numbers(client.get(URL, {"updated_since": "2025-03-02T00:00:00Z"})) == [new.number]
    assert numbers(client.get(URL, {"updated_since": "2025-03-01T00:00:00+03:00"})) == [
        new.number,
        old.number,
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"priority": "P9"},
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"updated_since": "yesterday"},
        {"updated_since": "2025-03-02T00:00:00"},  # no time zone
        {"cursor": "garbage"},
        {"organization": "acme\x00"},
    ],
)
def test_bad_list_parameters_are_a_422(ticket, supervisor, params):
    response = api_client(supervisor).get(URL, params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_cursor_pagination_walks_every_ticket_once_newest_first(acme, anna, supervisor):
    # Some tickets share an updated_at, so the id must break the tie.
    with time_machine.travel(datetime(2025, 3, 1, 12, tzinfo=UTC), tick=False):
        for _ in range(4):
            ingest(inbound(organization=acme))
    for _ in range(3):
        ingest(inbound(organization=acme))
    client = api_client(supervisor)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params).json()
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)  # newest first; created in number order


def test_the_last_page_has_no_next_cursor(ticket, supervisor):
    body = api_client(supervisor).get(URL, {"limit": 1}).json()
    assert [item["number"] for item in body["items"]] == [ticket.number]
    assert body["next_cursor"] is None


@pytest.mark.parametrize("caller", ["l1_agent", "boris"])
def test_the_number_of_queries_does_not_grow_with_the_page(
    request, acme, anna, l1_agent, supervisor, django_assert_num_queries, caller
):
    for i in range(60):
        ticket = ingest(inbound(organization=acme)).ticket
        if i % 2:
            ticket_assign(ticket=ticket, assignee=l1_agent, by=supervisor)
    client = client_as(request, caller)
    client.get(URL)  # the token's first use writes last_used_at; measure afterwards

    with django_assert_num_queries(2) as small:
        assert len(numbers(client.get(URL, {"limit": 5}))) == 5
    with django_assert_num_queries(2) as large:
        assert len(numbers(client.get(URL, {"limit": 50}))) == 50
    assert len(small.captured_queries) == len(large.captured_queries)


def test_breached_targets_cost_no_query_per_ticket(
    acme, anna, supervisor, django_assert_num_queries
):
    from dutydesk.sla.models import SlaMark

    for i in range(30):
        ticket = ingest(inbound(organization=acme)).ticket
        if i % 3 == 0:
            SlaMark.objects.create(
                ticket=ticket, target="first_response", level="breach", due=ticket.created_at
            )
            SlaMark.objects.create(
                ticket=ticket, target="unanswered", level="breach", due=ticket.created_at
            )
        if i % 3 == 1:
            SlaMark.objects.create(
                ticket=ticket, target="resolution", level="warn_first", due=ticket.created_at
            )
    client = api_client(supervisor)
    client.get(URL)

    with django_assert_num_queries(2):
        items = client.get(URL, {"limit": 30}).json()["items"]
    breached = sorted(tuple(item["sla"]["breached"]) for item in items)
    assert breached == [()] * 20 + [("first_response", "unanswered")] * 10
