"""The thread a mail to the client joins: its Message-IDs and the mailbox it answers from.

``thread_read`` reads in one statement what used to take three; the oracle below is the
earlier, plainly written ORM version, kept to show both agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from dutydesk.channels.email.models import Mailbox, MessageRef, RefDirection, Security
from dutydesk.channels.email.outbound import email_thread_payload, reply_mailbox
from dutydesk.channels.email.threads import MAX_REFERENCES, RECEIVING_MAILBOX, thread_read
from dutydesk.testing.factories import OrganizationFactory, inbound
from dutydesk.tickets.models import Channel, Direction, Message
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db
START = timezone.now().replace(microsecond=0) - timedelta(days=1)


def _oracle_mailbox(ticket):
    ref = (
        MessageRef.objects.filter(
            ticket=ticket, direction=RefDirection.INBOUND, mailbox__is_active=True
        )
        .select_related("mailbox")
        .order_by("-created_at", "-id")
        .first()
    )
    if ref is not None:
        return ref.mailbox
    candidates = list(
        Mailbox.objects.filter(is_active=True)
        .filter(Q(organization_id=ticket.organization_id) | Q(organization__isnull=True))
        .order_by("pk")
    )
    own = [m for m in candidates if m.organization_id == ticket.organization_id]
    return (own or candidates or [None])[0]


def _oracle_ids(ticket):
    refs = (
        MessageRef.objects.filter(ticket=ticket)
        .annotate(kind=Value(0, output_field=IntegerField()))
        .order_by()
        .values_list("created_at", "kind", "id", "message_id")
    )
    received = (
        Message.objects.filter(ticket=ticket, channel=Channel.EMAIL, direction=Direction.INBOUND)
        .exclude(source_id="")
        .annotate(kind=Value(1, output_field=IntegerField()))
        .order_by()
        .values_list("created_at", "kind", "id", "source_id")
    )
    ids = list(dict.fromkeys(row[3] for row in sorted(refs.union(received, all=True))))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids


def _mailbox(name, organization=None, *, active=True):
    return Mailbox.objects.create(
        name=name,
        host="127.0.0.1",
        security=Security.NONE,
        username=name,
        organization=organization,
        from_address=f"{name}@example.test",
        is_active=active,
    )


def _ref(ticket, message_id, direction, mailbox=None, at=None):
    ref = MessageRef.objects.create(
        ticket=ticket, message_id=message_id, direction=direction, mailbox=mailbox
    )
    if at is not None:
        MessageRef.objects.filter(pk=ref.pk).update(created_at=at)
    return ref


def _email_ticket(n, **fields):
    return ingest(
        inbound(channel="email", source_id=f"<first-{n}@acme.test>", subject=f"Mail {n}", **fields)
    ).ticket


def _pk(mailbox):
    return mailbox.pk if mailbox is not None else None


def _agrees(ticket):
    thread = thread_read(ticket)
    assert thread.ids == _oracle_ids(ticket)
    expected = _oracle_mailbox(ticket)
    for chosen in (reply_mailbox(ticket, thread), reply_mailbox(ticket)):
        assert _pk(chosen) == _pk(expected)
        if expected is not None:
            assert chosen.from_address == expected.from_address
    return thread


def test_an_api_ticket_without_mail_has_no_thread_and_answers_from_its_mailbox(acme, anna):
    ticket = ingest(inbound(source_id="api-1")).ticket
    MessageRef.objects.filter(ticket=ticket).delete()  # the confirmation's own reference
    assert _agrees(ticket).ids == []
    assert reply_mailbox(ticket) is None
    shared = _mailbox("shared")
    _mailbox("other", OrganizationFactory(slug="globex"))
    assert _agrees(ticket) and reply_mailbox(ticket).pk == shared.pk
    own = _mailbox("own", acme)
    _mailbox("own-paused", acme, active=False)
    assert _agrees(ticket) and reply_mailbox(ticket).pk == own.pk


def test_the_mailbox_the_client_last_wrote_to_while_it_is_active(acme, anna):
    first, second = _mailbox("first"), _mailbox("second", OrganizationFactory(slug="globex"))
    _mailbox("own", acme)
    ticket = _email_ticket(1)
    _ref(ticket, "<a@acme.test>", RefDirection.INBOUND, first, START)
    _ref(ticket, "<b@acme.test>", RefDirection.INBOUND, second, START + timedelta(hours=1))
    _ref(ticket, "<c@acme.test>", RefDirection.INBOUND, None, START + timedelta(hours=2))
    _ref(ticket, "<ours@example.test>", RefDirection.OUTBOUND, first, START + timedelta(hours=3))
    assert reply_mailbox(ticket).pk == second.pk and _agrees(ticket)
    Mailbox.objects.filter(pk=second.pk).update(is_active=False)
    assert reply_mailbox(ticket).pk == first.pk and _agrees(ticket)
    Mailbox.objects.filter(pk=first.pk).update(is_active=False)
    assert reply_mailbox(ticket).from_address == "own@example.test" and _agrees(ticket)


def test_the_receiving_mailbox_answers_without_a_lookup(acme, anna):
    receiving = _mailbox("receiving")
    ticket = _email_ticket(1)
    token = RECEIVING_MAILBOX.set(receiving)
    try:
        assert reply_mailbox(ticket, thread_read(ticket, senders=False)) == receiving
        assert reply_mailbox(ticket) == receiving
    finally:
        RECEIVING_MAILBOX.reset(token)


def test_ids_in_time_order_references_first_on_a_tie_without_repeats(acme, anna):
    with time_machine.travel(START, tick=False):  # every row gets the same time
        ticket = _email_ticket(1)
        _ref(ticket, "<first-1@acme.test>", RefDirection.INBOUND)  # the same mail, recorded
        _ref(ticket, "<ours-1@example.test>", RefDirection.OUTBOUND)
        ingest(
            inbound(
                channel="email",
                source_id="<second@acme.test>",
                ticket_number=ticket.number,
                body_text="More",
            )
        )
    _ref(ticket, "<ours-2@example.test>", RefDirection.OUTBOUND, at=START - timedelta(seconds=1))
    thread = _agrees(ticket)
    assert thread.ids[0] == "<ours-2@example.test>"
    assert thread.ids.count("<first-1@acme.test>") == 1


def test_a_long_thread_keeps_the_first_id_and_the_latest_ones(acme, anna):
    ticket = _email_ticket(1)
    for n in range(30):
        _ref(ticket, f"<r{n}@example.test>", RefDirection.OUTBOUND, at=START + timedelta(minutes=n))
    thread = _agrees(ticket)
    assert len(thread.ids) == MAX_REFERENCES
    # The first, then the 19 latest: r13 to r29, the client's mail, our confirmation.
    assert thread.ids[:2] == ["<r0@example.test>", "<r13@example.test>"]
    assert "<first-1@acme.test>" in thread.ids


def test_the_confirmation_of_an_api_ticket_reads_once_and_writes_once(
    acme, anna, django_assert_num_queries
):
    own = _mailbox("own", acme)
    ticket = ingest(inbound(source_id="api-1")).ticket
    with django_assert_num_queries(2):  # the thread with its mailboxes, our reference
        payload = email_thread_payload(ticket, "ticket_confirmation", None)
    assert payload["from"] == "own@example.test"
    assert payload["references"][-1] == payload["in_reply_to"]  # the first confirmation's
    ours = MessageRef.objects.get(message_id=payload["message_id"])
    assert ours.mailbox_id == own.pk and ours.direction == RefDirection.OUTBOUND


def test_an_email_confirmation_from_the_receiving_mailbox_reads_once(
    acme, anna, django_assert_num_queries
):
    receiving = _mailbox("receiving")
    ticket = _email_ticket(1)
    token = RECEIVING_MAILBOX.set(receiving)
    try:
        with django_assert_num_queries(2):  # the thread, our reference
            payload = email_thread_payload(ticket, "ticket_confirmation", None)
    finally:
        RECEIVING_MAILBOX.reset(token)
    assert payload["from"] == "receiving@example.test"
    assert payload["in_reply_to"] == payload["references"][-1]
