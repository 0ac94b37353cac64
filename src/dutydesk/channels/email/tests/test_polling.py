"""Polling a real Dovecot: nothing missed, nothing twice, one mailbox never blocks another."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dutydesk.channels.email import imap, poll
from dutydesk.channels.email.models import (
    AfterProcessing,
    Mailbox,
    QuarantinedMessage,
    QuarantineReason,
)
from dutydesk.channels.email.poll import mailbox_poll
from dutydesk.channels.email.tasks import poll_mailboxes
from dutydesk.channels.email.tests.conftest import eml
from dutydesk.tickets.models import Message, Ticket


class Crash(BaseException):
    """Stands for the worker process dying: nothing after it runs, nothing catches it."""


def _mail(n: int, sender: bytes = b"anna@acme.test") -> bytes:
    return (
        eml("alternative.eml")
        .replace(b"alt-1@", f"poll-{n}@".encode())
        .replace(b"VPN drops every hour", f"Request {n}".encode())
        .replace(b"anna@acme.test", sender)
    )


def _seen(dovecot, folder):
    return {uid: "\\Seen" in flags for uid, flags in dovecot.flags(folder).items()}


def test_new_mail_becomes_tickets_and_is_marked_seen(dovecot, make_mailbox, acme, anna):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1), _mail(2), eml("koi8r.eml"))
    result = mailbox_poll(mailbox.pk)
    assert result.outcomes == {"ticket": 3} and not result.error
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Request 1",
        "Request 2",
        "Не работает принтер",
    ]
    assert _seen(dovecot, mailbox.folder) == {1: True, 2: True, 3: True}
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 3 and mailbox.uidvalidity and mailbox.last_polled_at


def test_next_poll_reads_only_what_arrived_since(dovecot, make_mailbox, acme, anna):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1))
    mailbox_poll(mailbox.pk)
    dovecot.append(mailbox.folder, _mail(2))
    assert mailbox_poll(mailbox.pk).outcomes == {"ticket": 1}
    assert mailbox_poll(mailbox.pk).outcomes == {}
    assert Ticket.objects.count() == 2


def test_crash_after_commit_before_flagging_creates_no_duplicate(
    dovecot, make_mailbox, monkeypatch, acme, anna
):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1))
    real = imap.mark_processed

    def die(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(imap, "mark_processed", die)
    with pytest.raises(Crash):
        mailbox_poll(mailbox.pk)
    assert Ticket.objects.count() == 1  # committed
    assert _seen(dovecot, mailbox.folder) == {1: False}  # but not flagged
    monkeypatch.setattr(imap, "mark_processed", real)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        poll_lease_until=timezone.now() + timedelta(minutes=5)
    )
    with time_machine.travel(timezone.now() + poll.POLL_LEASE + timedelta(seconds=1)):
        result = mailbox_poll(mailbox.pk)  # the dead poller's lease has run out
    assert result.outcomes == {"duplicate": 1}
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert _seen(dovecot, mailbox.folder) == {1: True}


def test_crash_between_fetch_and_commit_ingests_once_on_restart(
    dovecot, make_mailbox, monkeypatch, acme, anna
):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1))

    def die(**kwargs):
        raise Crash

    monkeypatch.setattr(poll, "email_receive", die)
    with pytest.raises(Crash):
        mailbox_poll(mailbox.pk)
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    assert mailbox_poll(mailbox.pk).outcomes == {"ticket": 1}
    assert Ticket.objects.count() == 1


def test_connection_dropped_mid_fetch_loses_nothing(dovecot, make_mailbox, monkeypatch, acme, anna):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1), _mail(2), _mail(3))
    monkeypatch.setattr(poll, "FETCH_GROUP", 1)
    real, calls = imap.fetch_many, []

    def flaky(conn, uids):
        calls.append(uids)
        if len(calls) == 2:
            conn.shutdown()  # the server side goes away in the middle of the session
        return real(conn, uids)

    monkeypatch.setattr(imap, "fetch_many", flaky)
    first = mailbox_poll(mailbox.pk)
    assert first.error and first.outcomes == {"ticket": 1}
    monkeypatch.undo()
    assert mailbox_poll(mailbox.pk).outcomes == {"ticket": 2}
    assert Ticket.objects.count() == 3


def test_uidvalidity_change_rereads_without_duplicates(dovecot, make_mailbox, acme, anna):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1), _mail(2))
    mailbox_poll(mailbox.pk)
    old = Mailbox.objects.get(pk=mailbox.pk).uidvalidity
    # The server rebuilt the folder: same mail, new numbers, none flagged; plus one new mail.
    dovecot.recreate(mailbox.folder, _mail(1), _mail(2), _mail(3))
    result = mailbox_poll(mailbox.pk)
    assert result.outcomes == {"duplicate": 2, "ticket": 1}
    assert Ticket.objects.count() == 3 and Message.objects.count() == 3
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != old and mailbox.last_uid == 3
    assert _seen(dovecot, mailbox.folder) == {1: True, 2: True, 3: True}


def test_two_mailboxes_one_broken(dovecot, make_mailbox, acme, anna):
    broken = make_mailbox(name="Broken", password="wrong")
    good = make_mailbox(name="Good")
    dovecot.append(good.folder, _mail(1))
    assert poll_mailboxes.call_local() == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in broken.last_error or "failed" in broken.last_error.lower()
    assert not good.last_error and Ticket.objects.count() == 1
    assert broken.poll_lease_until is None  # free for the next try


def test_unreachable_server_is_an_error_of_that_mailbox_only(make_mailbox, dovecot, acme, anna):
    dead = make_mailbox(name="Dead")
    Mailbox.objects.filter(pk=dead.pk).update(port=1)
    good = make_mailbox(name="Good")
    dovecot.append(good.folder, _mail(1))
    poll_mailboxes.call_local()
    assert Mailbox.objects.get(pk=dead.pk).last_error
    assert Ticket.objects.count() == 1


def test_huge_message_is_quarantined_unread_and_the_rest_goes_on(
    dovecot, make_mailbox, settings, acme, anna
):
    settings.EMAIL_MAX_MESSAGE_BYTES = 5000
    mailbox = make_mailbox()
    huge = _mail(1).replace(b"since Monday.", b"since Monday." + b" x" * 5000)
    dovecot.append(mailbox.folder, huge, _mail(2))
    result = mailbox_poll(mailbox.pk)
    assert result.outcomes == {"quarantined": 1, "ticket": 1}
    item = QuarantinedMessage.objects.get()
    assert item.reason == QuarantineReason.TOO_LARGE and item.size > 5000
    assert item.message_id == "" and item.uid == 1
    assert b"x x x" not in item.raw.read()  # only the headers were downloaded


def test_a_mailbox_held_by_another_poller_is_skipped(dovecot, make_mailbox, acme):
    mailbox = make_mailbox()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        poll_lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert mailbox_poll(mailbox.pk).skipped


def test_processed_mail_can_be_moved_to_a_folder(dovecot, make_mailbox, acme, anna):
    processed = dovecot.new_folder()
    mailbox = make_mailbox(after_processing=AfterProcessing.MOVE, processed_folder=processed)
    dovecot.append(mailbox.folder, _mail(1), eml("malformed.eml"))
    assert mailbox_poll(mailbox.pk).outcomes == {"ticket": 1, "quarantined": 1}
    assert dovecot.count(mailbox.folder) == 0 and dovecot.count(processed) == 2


def test_every_fixture_ends_in_a_ticket_or_in_quarantine(dovecot, make_mailbox, acme, anna, boris):
    mailbox = make_mailbox()
    names = [
        "koi8r.eml",
        "cp1251.eml",
        "alternative.eml",
        "inline_image.eml",
        "attachment.eml",
        "gmail_reply.eml",
        "outlook_reply.eml",
        "reply_no_references.eml",
        "autoreply.eml",
        "bounce.eml",
        "malformed.eml",
    ]
    dovecot.append(mailbox.folder, *(eml(n) for n in names))
    result = mailbox_poll(mailbox.pk)
    assert sum(result.outcomes.values()) == len(names)
    # The auto-reply and the bounce concern no ticket of ours; the malformed mail is unreadable.
    assert result.outcomes["quarantined"] == 3
    reasons = sorted(QuarantinedMessage.objects.values_list("reason", flat=True))
    assert reasons == ["loop", "loop", "unparsable"]


def test_a_group_is_checked_for_repeats_in_one_lookup(
    dovecot, make_mailbox, monkeypatch, acme, anna
):
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1), _mail(2))
    mailbox_poll(mailbox.pk)
    dovecot.recreate(mailbox.folder, _mail(1), _mail(2), _mail(3), _mail(4))
    real, calls = poll._known, []

    def counted(message_ids):
        calls.append(message_ids)
        return real(message_ids)

    monkeypatch.setattr(poll, "_known", counted)
    result = mailbox_poll(mailbox.pk)
    assert result.outcomes == {"duplicate": 2, "ticket": 2}
    assert len(calls) == 1 and len(calls[0]) == 4  # one group, one lookup
    assert Ticket.objects.count() == 4 and Message.objects.count() == 4


def test_a_repeat_the_group_lookup_missed_is_still_taken_once(
    dovecot, make_mailbox, monkeypatch, acme, anna
):
    """Between the group's lookup and a mail's turn another path may commit the same mail:
    ingest's receipt still makes it a repeat."""
    mailbox = make_mailbox()
    dovecot.append(mailbox.folder, _mail(1))
    mailbox_poll(mailbox.pk)
    dovecot.recreate(mailbox.folder, _mail(1))
    monkeypatch.setattr(poll, "_known", lambda message_ids: set())
    result = mailbox_poll(mailbox.pk)
    assert result.outcomes == {"duplicate": 1}
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert _seen(dovecot, mailbox.folder) == {1: True}
