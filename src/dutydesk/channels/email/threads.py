"""Finding the ticket a mail belongs to from its headers, and the thread's Message-IDs."""

from __future__ import annotations

from contextvars import ContextVar

from django.db.models import IntegerField, Value

from dutydesk.channels.email.models import Mailbox, MessageRef, RefDirection
from dutydesk.tickets.models import Channel, Direction, Message, Ticket

# The mailbox whose mail is being ingested: the confirmation queued inside ingest
# answers from it, without looking it up again.
RECEIVING_MAILBOX: ContextVar[Mailbox | None] = ContextVar("receiving_mailbox", default=None)

# References grow with every reply; a few dozen ids are enough to thread and stay short.
MAX_REFERENCES = 20


def ticket_for_message_ids(
    message_ids: list[str], *, direction: str | None = None
) -> Ticket | None:
    """The ticket of the first listed Message-ID we sent or received (nearest first)."""
    if not message_ids:
        return None
    refs = MessageRef.objects.filter(message_id__in=message_ids).select_related("ticket")
    if direction:
        refs = refs.filter(direction=direction)
    by_id = {ref.message_id: ref.ticket for ref in refs.order_by("created_at", "id")}
    for message_id in message_ids:
        if message_id in by_id:
            return by_id[message_id]
    return None


def own_message(message_id: str) -> bool:
    """Whether DutyDesk itself sent this Message-ID (our mail came back to us)."""
    return MessageRef.objects.filter(
        message_id=message_id, direction=RefDirection.OUTBOUND
    ).exists()


def thread_ids(ticket: Ticket) -> list[str]:
    """The ticket's Message-IDs in order: the first one and the latest ones.

    Mail received is read from the ticket's messages too: the confirmation of a new
    ticket is queued inside ingest, before the channel records its own reference.
    """
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
    # One round trip for both; by time, then references before received mail, then rows.
    rows = sorted(refs.union(received, all=True), key=lambda row: row[:3])
    ids = [row[3] for row in rows]
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids
