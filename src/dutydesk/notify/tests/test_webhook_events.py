"""Which changes become which webhook events, with what document; and what it costs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dutydesk.notify.models import Delivery
from dutydesk.notify.webhooks import fanout
from dutydesk.oncall.paging import page_acknowledge, page_open
from dutydesk.sla.sweep import sla_sweep
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Priority, Status
from dutydesk.tickets.services import ingest, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db


def documents(event: str | None = None) -> list[dict]:
    rows = Delivery.objects.filter(webhook__isnull=False).order_by("pk")
    if event:
        rows = rows.filter(kind=event)
    return [json.loads(d.body) for d in rows]


def events() -> list[str]:
    return [d["event"] for d in documents()]


def open_ticket(n: int = 1, **fields):
    return ingest(inbound(source_id=f"evt-{n}", **fields)).ticket


@pytest.fixture(autouse=True)
def _forget_empty():
    fanout.subscriptions_changed()


def test_a_new_ticket_is_one_created_event_showing_its_routed_state(subscribe, anna):
    subscribe()
    ticket = open_ticket()

    assert events() == ["ticket.created"]
    [document] = documents()
    snapshot = document["data"]["ticket"]
    assert snapshot["number"] == ticket.number
    assert snapshot["team"] == "l1" and snapshot["organization"]["slug"] == "acme"
    assert snapshot["url"].endswith(f"/desk/tickets/{ticket.number}/")
    assert document["data"]["message"]["body_text"].startswith("Since this morning")
    assert document["created_at"] and len(document["id"]) == 36


def test_changes_of_one_request_are_one_updated_event_with_every_change(subscribe, anna, l1_agent):
    ticket = open_ticket()
    subscribe()
    ticket_update(ticket=ticket, by=l1_agent, priority=Priority.P2, category="network")

    [document] = documents()
    assert document["event"] == "ticket.updated"
    changes = {(c["field"], c["old"], c["new"]) for c in document["data"]["changes"]}
    assert changes == {("priority", "P3", "P2"), ("category", "", "network")}
    assert document["data"]["ticket"]["priority"] == "P2"


def test_resolving_sends_resolved_with_the_saved_state_and_closing_sends_closed(
    subscribe, anna, l1_agent
):
    ticket = open_ticket()
    subscribe(events=["ticket.resolved", "ticket.closed"])
    ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    ticket_update(ticket=ticket, by=l1_agent, status=Status.CLOSED)

    resolved, closed = documents()
    assert (resolved["event"], closed["event"]) == ("ticket.resolved", "ticket.closed")
    # The event is recorded before the ticket is saved: the document still shows the save.
    assert resolved["data"]["ticket"]["status"] == "resolved"
    assert resolved["data"]["ticket"]["resolved_at"]
    assert closed["data"]["ticket"]["status"] == "closed"


def test_public_replies_and_client_messages_are_replied_internal_notes_are_not(
    subscribe, anna, l1_agent
):
    ticket = open_ticket()
    subscribe(events=["ticket.replied"])
    ticket_reply(ticket=ticket, by=l1_agent, body="Restart the client, please.")
    ticket_reply(ticket=ticket, by=l1_agent, body="Looks like the cert again", internal=True)
    ingest(inbound(source_id="evt-1b", ticket_number=ticket.number, body_text="Works now!"))

    agent, client = documents()
    assert agent["data"]["message"]["author"]["email"] == l1_agent.email
    assert agent["data"]["message"]["direction"] == "out"
    assert agent["data"]["ticket"]["first_response_at"]
    assert client["data"]["message"]["body_text"] == "Works now!"
    assert client["data"]["message"]["direction"] == "in"


def test_an_organisation_filter_keeps_other_clients_events_out(subscribe, anna, gina, globex):
    subscribe(events=["ticket.created"], organization=globex)
    open_ticket(1, sender_email=anna.email)
    open_ticket(2, sender_email=gina.email)

    [document] = documents()
    assert document["data"]["ticket"]["organization"]["slug"] == "globex"


def test_every_subscriber_gets_its_own_delivery_of_the_same_event(subscribe, anna):
    crm = subscribe(events=["ticket.created"], name="CRM")
    chat = subscribe(events=["ticket.created"], name="Chat")
    open_ticket()
    rows = Delivery.objects.filter(webhook__isnull=False)
    assert {r.webhook_id for r in rows} == {crm.pk, chat.pk}
    assert len({r.payload["event_id"] for r in rows}) == 1


def test_sla_warning_and_breach(subscribe, acme, anna, l1_agent):
    start = datetime(2027, 3, 13, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ticket = ingest(inbound(organization=acme, priority="P1")).ticket
    subscribe(events=["sla.warning", "sla.breach"])
    sla_sweep(now=start + timedelta(minutes=11.25))
    sla_sweep(now=start + timedelta(minutes=15))

    warning, breach = documents()
    assert warning["event"] == "sla.warning"
    assert warning["data"]["sla"]["target"] == "first_response"
    assert warning["data"]["sla"]["level"] == "warn_first"
    assert breach["event"] == "sla.breach"
    assert breach["data"]["sla"]["due"] == ticket.first_response_due.isoformat()


def test_page_opened_and_acknowledged(subscribe, anna, l1_agent, supervisor):
    ticket = open_ticket()
    subscribe(events=["page.opened", "page.acknowledged", "ticket.updated"])
    page = page_open(ticket=ticket, reason="manual")
    page_acknowledge(page=page, by=l1_agent)

    opened, acknowledged, updated = documents()
    assert opened["event"] == "page.opened"
    assert opened["data"]["page"] == {"id": page.pk, "reason": "manual"}
    assert acknowledged["event"] == "page.acknowledged"
    assert acknowledged["data"]["page"]["acknowledged_by"] == l1_agent.email
    # Acknowledging gives the ticket to the acknowledger.
    assert updated["event"] == "ticket.updated"
    assert acknowledged["data"]["ticket"]["assignee"]["email"] == l1_agent.email


def test_monitoring_incidents_open_and_resolve(subscribe, acme, l1_agent):
    subscribe(events=["incident.opened", "incident.resolved", "ticket.created"])
    ticket = ingest(
        inbound(
            channel="monitoring",
            organization=acme,
            sender_email="monitoring+acme@monitoring.test",
            subject="shop.acme.test is down",
        )
    ).ticket
    ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    assert events() == ["ticket.created", "incident.opened", "incident.resolved"]


def test_without_subscriptions_the_ticket_paths_do_not_look_after_the_first_time(anna):
    with CaptureQueriesContext(connection) as first:
        open_ticket(1)
    with CaptureQueriesContext(connection) as later:
        open_ticket(2)
    assert sum("webhooksubscription" in q["sql"] for q in first.captured_queries) == 1
    assert not any("webhooksubscription" in q["sql"] for q in later.captured_queries)
    assert not any("notify_webhook" in q["sql"] for q in later.captured_queries)


def test_with_subscriptions_one_look_per_transaction(subscribe, anna, l1_agent):
    subscribe(events=["ticket.created", "ticket.updated"])
    ticket = open_ticket()
    with CaptureQueriesContext(connection) as update:
        ticket_update(
            ticket=ticket, by=l1_agent, priority=Priority.P1, category="hw", type="incident"
        )
    assert sum("webhooksubscription" in q["sql"] for q in update.captured_queries) == 1
    assert events() == ["ticket.created", "ticket.updated"]


def test_a_new_subscription_is_seen_at_once_in_its_own_process(receiver, subscribe, anna):
    open_ticket(1)  # looks, finds none, remembers that
    subscribe(events=["ticket.created"])
    open_ticket(2)
    assert events() == ["ticket.created"]
