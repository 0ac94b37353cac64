"""People CC'd on a ticket's mail are on it: their replies thread into it, by the subject
token or by the thread's Message-IDs, even when they cannot see the ticket in DutyDesk.
Anybody else naming the ticket does not get in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dutydesk.accounts.models import User
from dutydesk.channels.email.models import MessageRef, Participant, QuarantineReason, RefDirection
from dutydesk.channels.email.receive import QUARANTINED, TICKET
from dutydesk.channels.email.services import email_receive
from dutydesk.channels.email.tests.conftest import eml
from dutydesk.notify.models import Delivery
from dutydesk.tickets import selectors
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services import ticket_reply, ticket_update

OURS = "<reply-9.ours@example.test>"


def _fill(name: str, ticket: Ticket) -> bytes:
    raw = eml(name).replace(b"OURMSGID", OURS.encode())
    return raw.replace(b"TICKETNO", str(ticket.number).encode())


@pytest.fixture
def firewall_ticket(acme, anna, gina):
    received = email_receive(raw=eml("cc_outsiders.eml"), mailbox=None)
    assert received.outcome == TICKET and received.created
    return received.ticket


def test_the_cc_d_become_participants(firewall_ticket):
    emails = Participant.objects.filter(ticket=firewall_ticket).values_list("email", flat=True)
    assert sorted(emails) == ["gina@globex.test", "olga@contractor.example"]


def test_an_outsider_without_an_organisation_on_the_ticket_replies_by_the_token(
    firewall_ticket, anna
):
    received = email_receive(raw=_fill("outsider_reply_token.eml", firewall_ticket), mailbox=None)

    assert received.outcome == TICKET and not received.created
    assert received.ticket == firewall_ticket
    assert Ticket.objects.count() == 1
    message = firewall_ticket.messages.last()
    assert message.body_text.strip() == "The range is 203.0.113.0/28."
    olga = message.author
    assert olga.email == "olga@contractor.example" and olga.is_customer
    # Being on one ticket gives no sign-in and no view of the client's other tickets.
    assert not olga.is_active and not olga.has_usable_password()
    assert not selectors.ticket_queryset(user=olga).exists()
    # No confirmation goes out for a message on an existing ticket.
    assert not Delivery.objects.filter(recipient=olga.email, kind="ticket_confirmation").exists()


def test_an_outsider_replying_to_all_threads_by_the_message_ids(firewall_ticket):
    MessageRef.objects.create(
        message_id=OURS, ticket=firewall_ticket, direction=RefDirection.OUTBOUND
    )
    received = email_receive(raw=_fill("outsider_reply_all.eml", firewall_ticket), mailbox=None)

    assert received.ticket == firewall_ticket and not received.created
    assert firewall_ticket.messages.last().body_text.strip() == "Confirmed, thank you."


def test_a_cc_d_client_of_another_organisation_threads_into_the_ticket(firewall_ticket, gina):
    raw = _fill("outsider_reply_token.eml", firewall_ticket)
    raw = raw.replace(b"Olga Contractor <olga@contractor.example>", b"Gina <gina@globex.test>")
    received = email_receive(raw=raw, mailbox=None)

    assert received.ticket == firewall_ticket and not received.created
    assert firewall_ticket.messages.last().author == gina
    assert Ticket.objects.filter(organization=gina.organization).count() == 0
    gina.refresh_from_db()
    assert not selectors.ticket_queryset(user=gina).filter(pk=firewall_ticket.pk).exists()


def test_the_outsiders_reply_reaches_the_cc_d_with_the_agents_answer(firewall_ticket, l1_agent):
    email_receive(raw=_fill("outsider_reply_token.eml", firewall_ticket), mailbox=None)
    ticket_reply(ticket=firewall_ticket, by=l1_agent, body="Port 443 is open for the range.")

    reply = Delivery.objects.get(kind="agent_reply")
    assert reply.recipient == "anna@acme.test"
    assert sorted(reply.payload["cc"]) == ["gina@globex.test", "olga@contractor.example"]


def test_a_stranger_without_an_organisation_naming_the_ticket_is_quarantined(firewall_ticket):
    received = email_receive(raw=_fill("stranger_noorg_token.eml", firewall_ticket), mailbox=None)

    assert received.outcome == QUARANTINED
    assert received.quarantined.reason == QuarantineReason.UNROUTABLE
    assert firewall_ticket.messages.count() == 1
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()


def test_a_stranger_of_another_organisation_gets_a_ticket_of_their_own(firewall_ticket, globex):
    raw = _fill("stranger_noorg_token.eml", firewall_ticket).replace(
        b"Mallory <mallory@elsewhere.example>", b"Hank <hank@globex.test>"
    )
    received = email_receive(raw=raw, mailbox=None)

    assert received.created and received.ticket != firewall_ticket
    assert received.ticket.organization == globex
    assert firewall_ticket.messages.count() == 1


def test_a_participant_of_one_ticket_cannot_use_the_token_of_another(firewall_ticket, anna):
    other = email_receive(raw=eml("alternative.eml"), mailbox=None).ticket
    received = email_receive(raw=_fill("outsider_reply_token.eml", other), mailbox=None)

    assert received.outcome == QUARANTINED
    assert other.messages.count() == 1 and firewall_ticket.messages.count() == 1


def test_an_outsiders_reply_after_the_reopen_window_opens_a_follow_up_for_the_client(
    firewall_ticket, anna, l1_agent
):
    ticket_update(ticket=firewall_ticket, by=l1_agent, status="resolved")
    Ticket.objects.filter(pk=firewall_ticket.pk).update(
        resolved_at=timezone.now() - timedelta(days=30)
    )

    received = email_receive(raw=_fill("outsider_reply_token.eml", firewall_ticket), mailbox=None)

    follow_up = received.ticket
    assert received.created and follow_up.follow_up_of == firewall_ticket
    # The follow-up stays the client's: Anna's, in Acme; Olga wrote it and hears the answer.
    assert (follow_up.requester, follow_up.organization) == (anna, firewall_ticket.organization)
    assert follow_up.messages.get().author.email == "olga@contractor.example"
    assert Participant.objects.filter(ticket=follow_up, email="olga@contractor.example").exists()
    ticket_reply(ticket=follow_up, by=l1_agent, body="The range is open again.")
    reply = Delivery.objects.get(kind="agent_reply", ticket=follow_up)
    assert reply.recipient == "anna@acme.test"
    assert "olga@contractor.example" in reply.payload["cc"]
