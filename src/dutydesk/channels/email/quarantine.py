"""Quarantine: mail that did not become part of a ticket, kept raw until an admin decides."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from dutydesk.channels.email.models import Mailbox, QuarantinedMessage, QuarantineStatus
from dutydesk.core.services import audit_record

if TYPE_CHECKING:
    from dutydesk.channels.email.parsing import ParsedEmail


def quarantine_store(
    *,
    raw: bytes,
    mailbox: Mailbox | None,
    reason: str,
    detail: str,
    uid: int | None = None,
    uidvalidity: int | None = None,
    parsed: ParsedEmail | None = None,
    size: int | None = None,
    held: QuarantinedMessage | None = None,
) -> QuarantinedMessage:
    """Keep the raw bytes with the reason; the same mail held twice is one row.

    ``held`` is the row being re-processed: a new failure updates its reason.
    """
    if held is not None:
        held.reason, held.detail = reason, detail[:5000]
        held.save(update_fields=["reason", "detail"])
        return held
    message_id = parsed.message_id if parsed is not None else ""
    same = QuarantinedMessage.objects.filter(status=QuarantineStatus.HELD, mailbox=mailbox)
    if message_id and (held := same.filter(message_id=message_id).first()) is not None:
        return held
    if (
        uid is not None
        and (held := same.filter(uid=uid, uidvalidity=uidvalidity).first()) is not None
    ):
        return held
    item = QuarantinedMessage(
        mailbox=mailbox,
        uid=uid,
        uidvalidity=uidvalidity,
        message_id=message_id,
        sender=parsed.sender_email if parsed is not None else "",
        subject=parsed.subject if parsed is not None else "",
        size=size if size is not None else len(raw),
        reason=reason,
        detail=detail[:5000],
    )
    item.raw.save(f"{hashlib.sha256(raw).hexdigest()}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # the same mailbox position was held by a concurrent poll
        return QuarantinedMessage.objects.get(mailbox=mailbox, uid=uid, uidvalidity=uidvalidity)
    audit_record(actor=None, action="email.quarantined", obj=item)
    return item


def quarantine_raw(item: QuarantinedMessage) -> bytes:
    with item.raw.open("rb") as handle:
        return handle.read()
