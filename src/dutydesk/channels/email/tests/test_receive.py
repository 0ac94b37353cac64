"""Receiving one mail: threading, loop protection and quarantine (no IMAP needed)."""

import pytest

from dutydesk.channels.email.models import (
    MessageRef,
    Participant,
    QuarantinedMessage,
    QuarantineReason,
    QuarantineStatus,
    RefDirection,
)
from dutydesk.channels.email.receive import DUPLICATE, NOTE, QUARANTINED, TICKET
from dutydesk.channels.email.services import (
    email_receive,
    quarantine_discard,
    quarantine_reprocess,
)
from dutydesk.channels.email.tests.conftest import eml
from dutydesk.notify.models import Delivery
from dutydesk.tickets.models import Message, Status, Ticket

OURS = "<reply-1.ours@example.test>"


def _sent(ticket, message_id=OURS):
    """As if DutyDesk had sent a reply on the ticket with this Message-ID."""
    return MessageRef.objects.create(
        message_id=message_id, ticket=ticket, direction=RefDirection.OUTBOUND
    )


def _fill(name, ticket=None, ours=OURS):
    raw = eml(name).replace(b"OURMSGID", ours.encode())
    return raw.replace(b"TICKETNO", str(ticket.number if ticket else 999999).encode())


@pytest.fixture
def vpn_ticket(acme, anna):
    received = email_receive(raw=eml("alternative.eml"), mailbox=None)
    assert received.outcome == TICKET and received.created
    return received.ticket


def test_new_mail_opens_a_ticket_for_the_senders_organisation(vpn_ticket, acme, anna):
    assert vpn_ticket.organization == acme
    assert vpn_ticket.requester == anna
    assert vpn_ticket.subject == "VPN drops every hour"
    assert vpn_ticket.channel == "email"
    message = vpn_ticket.messages.get()
    assert message.source_id == "<alt-1@mail.acme.test>"
    assert "<script" not in message.body_html
    assert Delivery.objects.filter(kind="ticket_confirmation", recipient=anna.email).exists()
    assert MessageRef.objects.filter(
        ticket=vpn_ticket, message_id="<alt-1@mail.acme.test>", direction=RefDirection.INBOUND
    ).exists()


def test_first_mail_from_a_new_person_of_a_known_domain_creates_the_contact(acme):
    received = email_receive(raw=eml("koi8r.eml"), mailbox=None)
    assert received.ticket.requester.email == "ivan@acme.test"
    assert received.ticket.requester.name == "Иван Петров"
    assert received.ticket.subject == "Не работает принтер"


def test_the_same_mail_twice_is_one_ticket(vpn_ticket):
    again = email_receive(raw=eml("alternative.eml"), mailbox=None)
    assert again.outcome == DUPLICATE and again.ticket == vpn_ticket
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_cc_people_become_participants_but_not_our_own_address(acme, anna, boris, make_mailbox):
    mailbox = make_mailbox()
    received = email_receive(raw=eml("cp1251.eml"), mailbox=mailbox)
    assert list(
        Participant.objects.filter(ticket=received.ticket).values_list("email", flat=True)
    ) == ["boris@acme.test"]


def test_reply_threads_by_in_reply_to_of_our_message_and_shows_only_the_new_text(vpn_ticket):
    _sent(vpn_ticket)
    received = email_receive(raw=_fill("gmail_reply.eml"), mailbox=None)  # no token in subject
    assert received.outcome == TICKET and received.ticket == vpn_ticket
    message = vpn_ticket.messages.last()
    assert message.body_text.strip() == "Thanks, it works now."
    assert [a.filename for a in message.attachments.all()] == ["original.eml"]
    assert b"Please reinstall" in message.attachments.get().file.read()


def test_reply_threads_by_references_to_a_message_we_received(vpn_ticket):
    raw = _fill("gmail_reply.eml", ours="<unknown@elsewhere.test>")  # References has alt-1
    assert email_receive(raw=raw, mailbox=None).ticket == vpn_ticket


def test_reply_without_references_threads_by_the_subject_token(vpn_ticket):
    received = email_receive(raw=_fill("reply_no_references.eml", vpn_ticket), mailbox=None)
    assert received.ticket == vpn_ticket and not received.created


def test_outlook_reply_threads_by_token_and_is_trimmed(vpn_ticket):
    received = email_receive(raw=_fill("outlook_reply.eml", vpn_ticket), mailbox=None)
    assert received.ticket == vpn_ticket
    assert vpn_ticket.messages.last().body_text.strip() == "Still happens on my laptop."


def test_a_strangers_token_opens_a_new_ticket_in_their_own_organisation(vpn_ticket, gina, globex):
    received = email_receive(raw=_fill("stranger_token.eml", vpn_ticket), mailbox=None)
    assert received.created and received.ticket != vpn_ticket
    assert received.ticket.organization == globex
    assert f"#{vpn_ticket.number}" not in received.ticket.subject
    assert vpn_ticket.messages.count() == 1


def test_a_stranger_answering_our_message_id_does_not_join_the_ticket(vpn_ticket, gina):
    _sent(vpn_ticket)
    raw = _fill("gmail_reply.eml").replace(b"Anna <anna@acme.test>", b"Gina <gina@globex.test>")
    received = email_receive(raw=raw, mailbox=None)
    assert received.created and received.ticket.organization == gina.organization
    assert vpn_ticket.messages.count() == 1


def test_auto_reply_to_our_message_is_a_note_and_gets_no_answer(vpn_ticket):
    _sent(vpn_ticket)
    deliveries = Delivery.objects.count()
    status = vpn_ticket.status
    received = email_receive(raw=_fill("autoreply.eml"), mailbox=None)
    assert received.outcome == NOTE and received.ticket == vpn_ticket
    note = vpn_ticket.messages.last()
    assert note.is_internal and "out of office" in note.body_text
    assert Delivery.objects.count() == deliveries
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.status == status


def test_auto_reply_about_nothing_of_ours_is_quarantined_not_answered(acme, anna):
    received = email_receive(raw=_fill("autoreply.eml"), mailbox=None)
    assert received.outcome == QUARANTINED
    assert received.quarantined.reason == QuarantineReason.LOOP
    assert not Ticket.objects.exists() and not Delivery.objects.exists()


def test_bounce_of_our_reply_is_recorded_on_the_ticket(vpn_ticket):
    _sent(vpn_ticket)
    received = email_receive(raw=_fill("bounce.eml"), mailbox=None)
    assert received.outcome == NOTE and received.ticket == vpn_ticket
    note = vpn_ticket.messages.last()
    assert note.is_internal and "User unknown" in note.body_text
    assert not Delivery.objects.filter(recipient__icontains="mailer-daemon").exists()


def test_our_own_mail_coming_back_is_ignored(vpn_ticket):
    _sent(vpn_ticket, "<alt-2@mail.acme.test>")
    raw = eml("alternative.eml").replace(b"alt-1@", b"alt-2@")
    assert email_receive(raw=raw, mailbox=None).outcome == DUPLICATE


def test_sender_without_an_organisation_is_quarantined_then_reprocessed(acme, supervisor):
    raw = eml("alternative.eml").replace(b"anna@acme.test", b"zed@unknown.test")
    received = email_receive(raw=raw, mailbox=None)
    item = received.quarantined
    assert item.reason == QuarantineReason.UNROUTABLE and item.sender == "zed@unknown.test"
    assert item.raw.read() == raw
    assert quarantine_reprocess(item=item, by=supervisor) == QUARANTINED
    acme.email_domains = "acme.test, unknown.test"
    acme.save()
    assert quarantine_reprocess(item=item, by=supervisor) == TICKET
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPROCESSED and item.ticket.organization == acme
    assert QuarantinedMessage.objects.count() == 1


def test_mailbox_organisation_takes_mail_from_unknown_domains(acme, make_mailbox):
    mailbox = make_mailbox(acme)
    raw = eml("alternative.eml").replace(b"anna@acme.test", b"zed@unknown.test")
    assert email_receive(raw=raw, mailbox=mailbox).ticket.organization == acme


def test_unparsable_mail_is_held_and_can_be_discarded(db, supervisor):
    received = email_receive(raw=eml("malformed.eml"), mailbox=None)
    item = received.quarantined
    assert item.reason == QuarantineReason.UNPARSABLE
    assert item.raw.read() == eml("malformed.eml")
    quarantine_discard(item=item, by=supervisor)
    item.refresh_from_db()
    assert item.status == QuarantineStatus.DISCARDED


def test_sender_over_the_rate_limit_is_quarantined(settings, acme, anna, supervisor):
    settings.EMAIL_RATE_LIMIT = 2
    outcomes = [
        email_receive(
            raw=eml("alternative.eml").replace(b"alt-1@", f"alt-r{i}@".encode()), mailbox=None
        )
        for i in range(3)
    ]
    assert [o.outcome for o in outcomes] == [TICKET, TICKET, QUARANTINED]
    item = outcomes[2].quarantined
    assert item.reason == QuarantineReason.RATE_LIMITED
    assert quarantine_reprocess(item=item, by=supervisor) == TICKET


def test_a_resolved_ticket_reopens_on_a_reply(vpn_ticket):
    Ticket.objects.filter(pk=vpn_ticket.pk).update(status=Status.RESOLVED)
    vpn_ticket.refresh_from_db()
    from django.utils import timezone

    Ticket.objects.filter(pk=vpn_ticket.pk).update(resolved_at=timezone.now())
    received = email_receive(raw=_fill("reply_no_references.eml", vpn_ticket), mailbox=None)
    assert received.ticket == vpn_ticket
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.status == Status.OPEN


def test_mail_from_our_own_mailbox_address_is_not_answered(make_mailbox, acme):
    mailbox = make_mailbox(acme, from_address="help@acme.test")
    raw = eml("alternative.eml").replace(b"anna@acme.test", b"help@acme.test")
    received = email_receive(raw=raw, mailbox=mailbox)
    assert received.outcome == QUARANTINED
    assert received.quarantined.reason == QuarantineReason.LOOP
    assert not Ticket.objects.exists() and not Delivery.objects.exists()
