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


def _known(message_id: str) -> bool:
    """Received before: a redelivery (e.g. after a UIDVALIDITY change) needs no download."""
    if not message_id:
        return False
    return (
        InboundReceipt.objects.filter(channel=Channel.EMAIL, source_id=message_id).exists()
        or MessageRef.objects.filter(message_id=message_id).exists()
    )


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
        for envelope in imap.envelopes(conn, uids[start : start + batch]):
            result.count(_one(conn, mailbox, validity, envelope))
            # Flagged and committed: the position may move past it.
            if track:
                Mailbox.objects.filter(pk=mailbox.pk).update(
                    uidvalidity=validity, last_uid=envelope.uid
                )


def _one(conn: imaplib.IMAP4, mailbox: Mailbox, validity: int, envelope: imap.Envelope) -> str:
    uid = envelope.uid
    if _known(envelope.message_id):
        outcome = "duplicate"
    elif envelope.size > settings.EMAIL_MAX_MESSAGE_BYTES:
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
        outcome = "quarantined"
    else:
        raw = imap.fetch(conn, uid)
        try:
            outcome = email_receive(raw=raw, mailbox=mailbox, uid=uid, uidvalidity=validity).outcome
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
            outcome = "quarantined"
    imap.mark_processed(conn, mailbox, uid)
    return outcome
