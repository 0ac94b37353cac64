"""Seed 003 "integration": a ticket from a messenger makes a record in the CRM.

A client writes to the Telegram bot (the Bot API stand-in); the CRM, a local HTTP
receiver subscribed to DutyDesk's webhooks, gets the new ticket with a valid signature,
then the agent's reply and the resolution.
"""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.notify.tests.receiver import Receiver
from dutydesk.notify.webhooks import fanout
from dutydesk.notify.webhooks.services import webhook_create
from dutydesk.testing.factories import UserFactory
from dutydesk.tickets.models import Status, Ticket
from dutydesk.tickets.services import ticket_reply, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(db):
    fanout.subscriptions_changed()
    receiver = Receiver().start()
    admin = UserFactory(email="root@support.test", role=Role.ADMIN)
    created = webhook_create(
        by=admin,
        name="CRM",
        url=receiver.url,
        events=["ticket.created", "ticket.replied", "ticket.resolved"],
    )
    receiver.secret = created.secret
    yield receiver
    receiver.stop()


def test_a_ticket_from_telegram_reaches_the_crm_signed(
    bot, bot_api, crm, l1_agent, django_capture_on_commit_callbacks
):
    bot_api.add_message(user_id=777, first_name="Ivan", text="Printer on floor 3 is jammed")

    # After the commit the worker's fast path sends at once (tasks run in-process here).
    with django_capture_on_commit_callbacks(execute=True):
        assert telegram_poll() == 1

    ticket = Ticket.objects.get()
    [record] = crm.received
    assert record.valid, "the CRM could not verify the signature"
    assert record.headers["x-dutydesk-event"] == "ticket.created"
    data = record.document["data"]
    assert data["ticket"]["number"] == ticket.number
    assert data["ticket"]["channel"] == "telegram"
    assert data["ticket"]["subject"] == "Printer on floor 3 is jammed"
    assert data["ticket"]["requester"] == {"email": "tg-777@telegram.invalid", "name": "Ivan"}
    assert data["message"]["body_text"] == "Printer on floor 3 is jammed"

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, by=l1_agent, body="A technician is on the way.")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)

    assert [r.headers["x-dutydesk-event"] for r in crm.received] == [
        "ticket.created",
        "ticket.replied",
        "ticket.resolved",
    ]
    assert all(r.valid for r in crm.received)
    assert len({r.headers["x-dutydesk-delivery"] for r in crm.received}) == 3
    assert crm.received[-1].document["data"]["ticket"]["status"] == "resolved"
