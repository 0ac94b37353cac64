"""Threading DutyDesk's mail to clients: our Message-ID, the thread's ids, From, CC, files."""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings

from dutydesk.channels.email.models import Mailbox, MessageRef, Participant, RefDirection
from dutydesk.channels.email.threads import RECEIVING_MAILBOX, Sender, Thread, thread_read
from dutydesk.tickets.models import Message, Ticket

# Notices whose copies go to the people CC'd on the ticket, not only to the requester.
TO_PARTICIPANTS = {"agent_reply"}


def _receiving() -> Mailbox | None:
    receiving = RECEIVING_MAILBOX.get()
    return receiving if receiving is not None and receiving.is_active else None


def reply_mailbox(ticket: Ticket, thread: Thread | None = None) -> Mailbox | Sender | None:
    """The mailbox the client last wrote to; else one for their organisation; else any."""
    if (receiving := _receiving()) is not None:
        return receiving
    if thread is None or thread.senders is None:
        thread = thread_read(ticket)
    senders = thread.senders or []
    by_pk = {s.pk: s for s in senders}
    for pk in thread.received_in:
        if pk in by_pk:
            return by_pk[pk]
    own = [s for s in senders if s.organization_id == ticket.organization_id]
    shared = [s for s in senders if s.organization_id is None]
    return (own or shared or [None])[0]


def _attachments(message: Message | None) -> list[dict]:
    if message is None:
        return []
    return [
        {"path": a.file.name, "filename": a.filename, "content_type": a.content_type}
        for a in message.attachments.all()
    ]


def email_thread_payload(ticket: Ticket, kind: str, message: Message | None) -> dict:
    """The payload of a mail to the client; records its Message-ID so replies thread."""
    thread = thread_read(ticket, senders=_receiving() is None)
    mailbox = reply_mailbox(ticket, thread)
    from_address = mailbox.from_address if mailbox is not None else settings.DEFAULT_FROM_EMAIL
    domain = from_address.rsplit("@", 1)[-1].strip("> ") or "dutydesk.invalid"
    message_id = make_msgid(idstring=f"dd{ticket.number}", domain=domain)
    refs = thread.ids
    payload: dict = {"message_id": message_id, "from": from_address}
    if refs:
        payload.update(in_reply_to=refs[-1], references=refs)
    if kind in TO_PARTICIPANTS:
        requester = ticket.requester.email.lower()
        payload["cc"] = [
            p.email for p in Participant.objects.filter(ticket=ticket) if p.email != requester
        ]
        payload["attachments"] = _attachments(message)
    MessageRef.objects.create(
        message_id=message_id,
        ticket=ticket,
        ticket_message=message,
        mailbox_id=mailbox.pk if mailbox is not None else None,
        direction=RefDirection.OUTBOUND,
    )
    return payload
