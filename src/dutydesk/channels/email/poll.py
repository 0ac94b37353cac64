"""Polling one mailbox: new mail by UIDVALIDITY + UID, flagged only after it is committed."""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dutydesk.channels.email import imap
from dutydesk.channels.email.models import Mailbox, MessageRef, QuarantineReason
from dutydesk.channels.email.quarantine import quarantine_store
from dutydesk.channels.email.receive import email_receive
from dutydesk.tickets.models import Channel, InboundReceipt

log = logging.getLogger(__name__)

# How long a poller holds a mailbox; a poller that died frees it after this.
POLL_LEASE = timedelta(minutes=10)


@dataclass
class PollResult:
    mailbox_id: int
    skipped: bool = False  # another poller holds the mailbox, or it is inactive
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def mailbox_claim(mailbox_id: int) -> Mailbox | None:
    now = timezone.now()
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id, is_active=True)
        .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
        .update(poll_lease_until=now + POLL_LEASE)
    )
    return Mailbox.objects.get(pk=mailbox_id) if claimed else None


def _release(mailbox: Mailbox, error: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        poll_lease_until=None, last_polled_at=timezone.now(), last_error=error[:2000]
    )


def _known(message_ids: list[str]) -> set[str]:
    """Those received before: a redelivery (e.g. after a UIDVALIDITY change) needs no
    download. One query per table for a whole group."""
    wanted = [m for m in message_ids if m]
    if not wanted:
        return set()
    receipts = InboundReceipt.objects.filter(channel=Channel.EMAIL, source_id__in=wanted)
    refs = MessageRef.objects.filter(message_id__in=wanted)
    return {
        *receipts.values_list("source_id", flat=True),
        *refs.values_list("message_id", flat=True),
    }


def mailbox_poll(mailbox_id: int) -> PollResult:
    """Read the mailbox's new mail into tickets; one mailbox's failure stays its own."""
    result = PollResult(mailbox_id=mailbox_id)
    mailbox = mailbox_claim(mailbox_id)
    if mailbox is None:
        result.skipped = True
        return result
    error = ""
    try:
        with imap.imap_session(mailbox) as conn:
            _poll(conn, mailbox, result)
    except (imap.ImapError, imaplib.IMAP4.error, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("mailbox %s: %s", mailbox.pk, error)
    finally:
        _release(mailbox, error)
    result.error = error
    return result


def _poll(conn: imaplib.IMAP4, mailbox: Mailbox, result: PollResult) -> None:
    validity = imap.uidvalidity(conn)
    if mailbox.uidvalidity == validity:
        _read(conn, mailbox, validity, imap.uids_after(conn, mailbox.last_uid), result)
        return
    # First poll, or the server renumbered the folder: the position means nothing now.
    # Read what is unseen (processed mail is flagged or moved); Message-IDs catch repeats.
    everything = imap.uids_after(conn, 0)
    _read(conn, mailbox, validity, imap.uids_unseen(conn), result, track=False)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        uidvalidity=validity, last_uid=max(everything, default=0)
    )


# Mail is downloaded in groups (one round trip each) of at most this many messages and
# bytes; a group's messages are flagged together once each of them has committed.
FETCH_GROUP = 25
FETCH_GROUP_BYTES = 8 * 1024 * 1024


def _groups(envelopes: list[imap.Envelope]) -> list[list[imap.Envelope]]:
    groups: list[list[imap.Envelope]] = [[]]
    size = 0
    for envelope in envelopes:
        if groups[-1] and (
            len(groups[-1]) >= FETCH_GROUP or size + envelope.size > FETCH_GROUP_BYTES
        ):
            groups.append([])
            size = 0
        groups[-1].append(envelope)
        size += envelope.size
    return [g for g in groups if g]


def _read(
    conn: imaplib.IMAP4,
    mailbox: Mailbox,
    validity: int,
    uids: list[int],
    result: PollResult,
    *,
    track: bool = True,
) -> None:
    batch = settings.EMAIL_POLL_BATCH
    for start in range(0, len(uids), batch):
        Mailbox.objects.filter(pk=mailbox.pk).update(poll_lease_until=timezone.now() + POLL_LEASE)
        for group in _groups(imap.envelopes(conn, uids[start : start + batch])):
            known = _known([e.message_id for e in group])
            wanted = [
                e.uid
                for e in group
                if e.size <= settings.EMAIL_MAX_MESSAGE_BYTES and e.message_id not in known
            ]
            raws = imap.fetch_many(conn, wanted)
            for envelope in group:
                result.count(_one(conn, mailbox, validity, envelope, raws))
            imap.mark_processed(conn, mailbox, [e.uid for e in group])
            # Committed and flagged: the position may move past the group.
            if track:
                Mailbox.objects.filter(pk=mailbox.pk).update(
                    uidvalidity=validity, last_uid=group[-1].uid
                )


def _one(
    conn: imaplib.IMAP4,
    mailbox: Mailbox,
    validity: int,
    envelope: imap.Envelope,
    raws: dict[int, bytes],
) -> str:
    uid = envelope.uid
    if envelope.size > settings.EMAIL_MAX_MESSAGE_BYTES:
        # Never download it: only the headers are kept, the mail stays on the server.
        quarantine_store(
            raw=imap.fetch(conn, uid, headers_only=True),
            mailbox=mailbox,
            uid=uid,
            uidvalidity=validity,
            reason=QuarantineReason.TOO_LARGE,
            detail=f"{envelope.size} bytes > {settings.EMAIL_MAX_MESSAGE_BYTES}; headers only",
            size=envelope.size,
        )
        return "quarantined"
    raw = raws.get(uid)
    if raw is None:  # received before (its Message-ID is known), or expunged meanwhile
        return "duplicate"
    try:
        return email_receive(
            raw=raw, mailbox=mailbox, uid=uid, uidvalidity=validity, unknown_id=envelope.message_id
        ).outcome
    except Exception as exc:  # a bug or bad data must not stop the mailbox at this mail
        log.exception("mailbox %s uid %s", mailbox.pk, uid)
        quarantine_store(
            raw=raw,
            mailbox=mailbox,
            uid=uid,
            uidvalidity=validity,
            reason=QuarantineReason.ERROR,
            detail=f"{type(exc).__name__}: {exc}",
        )
        return "quarantined"
