"""Storing attachments: size limit, sniffed content type, content-addressed file names."""

from __future__ import annotations

import hashlib
import mimetypes

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import InboundRejected
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import Attachment, EventKind, Message, Ticket
from dutydesk.tickets.services.events import event_record


def sniff_content_type(content: bytes, filename: str) -> str:
    """The type the bytes say they are; the name's extension only for text-like files."""
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return kind.mime
    guessed, _encoding = mimetypes.guess_type(filename)
    if guessed and guessed.startswith("text/"):
        return guessed
    try:
        content[:8192].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def attachments_validate(items: tuple[InboundAttachment, ...]) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    for item in items:
        if len(item.content) > limit:
            raise InboundRejected(
                _("Attachment %(name)s is larger than %(limit)s bytes.")
                % {"name": item.filename, "limit": limit},
                {"attachments": _("too large")},
            )


def attachment_store(
    *, ticket: Ticket, message: Message | None, item: InboundAttachment
) -> Attachment:
    digest = hashlib.sha256(item.content).hexdigest()
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=(item.filename or "attachment").replace("/", "_")[:255],
        content_type=sniff_content_type(item.content, item.filename),
        size=len(item.content),
        sha256=digest,
    )
    attachment.file.save(digest, ContentFile(item.content), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, ticket: Ticket, by: User, item: InboundAttachment) -> Attachment:
    """Store a file on a ticket the user can see (fetched through a selector).

    A file without a message is visible to everyone who sees the ticket, clients
    included; nobody is notified. Raises ``InboundRejected`` when it is too large.
    """
    attachments_validate((item,))
    ticket = Ticket.objects.select_for_update().select_related("organization").get(pk=ticket.pk)
    attachment = attachment_store(ticket=ticket, message=None, item=item)
    event_record(
        ticket,
        actor=by,
        kind=EventKind.ATTACHMENT,
        new=attachment.filename,
        attachment=attachment.pk,
        size=attachment.size,
    )
    ticket.save(update_fields=["updated_at"])
    audit_record(
        actor=by, action="ticket.attachment_added", obj=ticket, organization=ticket.organization
    )
    return attachment
