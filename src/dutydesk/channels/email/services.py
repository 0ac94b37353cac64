"""The email channel's writes other code calls: receiving mail and deciding on quarantine."""

from __future__ import annotations

from dutydesk.accounts.models import User
from dutydesk.channels.email.models import QuarantinedMessage, QuarantineStatus
from dutydesk.channels.email.quarantine import quarantine_raw
from dutydesk.channels.email.receive import QUARANTINED, Received, email_receive
from dutydesk.core.services import audit_record

__all__ = ["Received", "email_receive", "quarantine_discard", "quarantine_reprocess"]


def quarantine_reprocess(*, item: QuarantinedMessage, by: User) -> str:
    """Run a held mail through intake again, without the rate limit; returns the outcome.

    A mail that fails again stays held, with the new reason.
    """
    if item.status != QuarantineStatus.HELD:
        return item.status
    received = email_receive(
        raw=quarantine_raw(item), mailbox=item.mailbox, rate_limit=False, held=item
    )
    if received.outcome == QUARANTINED:
        return QUARANTINED
    item.status = QuarantineStatus.REPROCESSED
    item.handled_by = by
    item.ticket = received.ticket
    item.save(update_fields=["status", "handled_by", "ticket"])
    audit_record(actor=by, action="email.reprocessed", obj=item)
    return received.outcome


def quarantine_discard(*, item: QuarantinedMessage, by: User) -> None:
    """Drop a held mail from the queue; the row and raw bytes stay as the record."""
    if item.status != QuarantineStatus.HELD:
        return
    item.status = QuarantineStatus.DISCARDED
    item.handled_by = by
    item.save(update_fields=["status", "handled_by"])
    audit_record(actor=by, action="email.discarded", obj=item)
