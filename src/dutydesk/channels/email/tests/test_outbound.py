"""Agent replies leave as threaded multipart mail through the outbox (aiosmtpd on loopback)."""

from datetime import timedelta
from email import message_from_bytes, policy

import time_machine
from django.utils import timezone

from dutydesk.channels.email.models import MessageRef, RefDirection
from dutydesk.channels.email.services import email_receive
from dutydesk.channels.email.tests.conftest import eml, free_port
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.sending import backoff, deliveries_sweep
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.services import ticket_reply


def _mails(smtp_server, to="anna@acme.test"):
    """What the client received (the team's queue gets its own notices)."""
    return [
        message_from_bytes(e.content, policy=policy.default)
        for e in smtp_server.envelopes
        if to in e.rcpt_tos
    ]


def _reply_to(sent, *, body: str, sender: str = "Anna <anna@acme.test>") -> bytes:
    return (
        f"From: {sender}\nTo: support@example.test\nSubject: Re: {sent['Subject']}\n"
        f"Message-ID: <client-reply-{abs(hash(body))}@acme.test>\n"
        f"In-Reply-To: {sent['Message-ID']}\n"
        f"References: {sent['References']} {sent['Message-ID']}\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def test_agent_reply_is_threaded_multipart_mail_to_requester_and_participants(
    smtp_server, make_mailbox, acme, anna, boris, l1_agent
):
    mailbox = make_mailbox(from_address="help@example.test")
    ticket = email_receive(raw=eml("cp1251.eml"), mailbox=mailbox).ticket  # CC: Boris
    deliveries_sweep()  # the confirmation
    ticket_reply(
        ticket=ticket,
        by=l1_agent,
        body="The invoice is corrected.",
        body_html="<p>The invoice is <b>corrected</b>.</p>",
        attachments=(InboundAttachment(filename="invoice.pdf", content=b"%PDF-1.4 test"),),
    )
    assert deliveries_sweep() == 1
    confirmation, reply = _mails(smtp_server)
    envelope = smtp_server.envelopes[-1]
    assert sorted(envelope.rcpt_tos) == ["anna@acme.test", "boris@acme.test"]
    assert reply["From"] == "help@example.test" and reply["Cc"] == "boris@acme.test"
    assert f"[#{ticket.number}]" in reply["Subject"]
    ours = MessageRef.objects.filter(ticket=ticket, direction=RefDirection.OUTBOUND)
    assert reply["Message-ID"] == ours.last().message_id
    assert reply["In-Reply-To"] == confirmation["Message-ID"]
    assert reply["References"].split() == [
        "<cp1251-1@mail.acme.test>",
        confirmation["Message-ID"],
    ]
    assert reply.get_body(("plain",)).get_content().startswith("The invoice is corrected.")
    assert "<b>corrected</b>" in reply.get_body(("html",)).get_content()
    [attachment] = list(reply.iter_attachments())
    assert attachment.get_filename() == "invoice.pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"


def test_confirmation_answers_the_clients_mail_and_is_marked_automatic(
    smtp_server, make_mailbox, acme, anna
):
    email_receive(raw=eml("alternative.eml"), mailbox=make_mailbox())
    deliveries_sweep()
    [confirmation] = _mails(smtp_server)
    assert confirmation["In-Reply-To"] == "<alt-1@mail.acme.test>"
    assert confirmation["Auto-Submitted"] == "auto-replied"


def test_the_clients_answer_to_our_reply_threads_into_the_ticket(
    smtp_server, make_mailbox, acme, anna, l1_agent
):
    mailbox = make_mailbox()
    ticket = email_receive(raw=eml("alternative.eml"), mailbox=mailbox).ticket
    ticket_reply(ticket=ticket, by=l1_agent, body="Please reinstall the client.")
    deliveries_sweep()
    sent = _mails(smtp_server)[-1]
    raw = _reply_to(sent, body="Done, thanks.").replace(f"[#{ticket.number}]".encode(), b"")
    received = email_receive(raw=raw, mailbox=mailbox)
    assert received.ticket == ticket and not received.created
    assert ticket.messages.last().body_text.strip() == "Done, thanks."


def test_smtp_down_for_a_while_every_reply_arrives_once(
    smtp_server, settings, make_mailbox, acme, anna, l1_agent
):
    ticket = email_receive(raw=eml("alternative.eml"), mailbox=make_mailbox()).ticket
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the mail server is down
    for n in range(3):
        ticket_reply(ticket=ticket, by=l1_agent, body=f"Reply {n}")
    assert deliveries_sweep() == 0
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING, attempts=1)
    assert pending.filter(recipient="anna@acme.test").count() == 4
    waiting = pending.count()  # with the team's notice of the new ticket
    settings.EMAIL_PORT = port  # back
    with time_machine.travel(timezone.now() + backoff(1) + timedelta(seconds=1)):
        assert deliveries_sweep() == waiting
        assert deliveries_sweep() == 0
    bodies = [m.get_body(("plain",)).get_content().splitlines()[0] for m in _mails(smtp_server)]
    assert sorted(b for b in bodies if b.startswith("Reply")) == ["Reply 0", "Reply 1", "Reply 2"]
    assert len({m["Message-ID"] for m in _mails(smtp_server)}) == 4


def test_ticket_without_any_mailbox_replies_from_the_default_address(
    smtp_server, settings, acme, anna, l1_agent
):
    settings.DEFAULT_FROM_EMAIL = "desk@example.test"
    ticket = email_receive(raw=eml("alternative.eml"), mailbox=None).ticket
    ticket_reply(ticket=ticket, by=l1_agent, body="Hello")
    deliveries_sweep()
    reply = _mails(smtp_server)[-1]
    assert reply["From"] == "desk@example.test"
    assert reply["Message-ID"].endswith("@example.test>")
