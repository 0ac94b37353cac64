"""Finding the ticket a mail belongs to from its headers, and the thread's Message-IDs."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection

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


class Sender(NamedTuple):
    """An active mailbox that may send the ticket's mail: what the mail needs of it."""

    pk: int
    organization_id: int | None
    from_address: str


@dataclass(frozen=True)
class Thread:
    """What a mail to the client needs to know: the thread it joins and who may send it."""

    ids: list[str]  # the Message-IDs in order: the first one and the latest ones
    received_in: list[int]  # mailboxes that received its mail, the latest first
    # Active mailboxes, by pk: those, the organisation's own and the shared ones (None:
    # not read, the mail answers from the mailbox receiving it).
    senders: list[Sender] | None


REF, RECEIVED, SENDER = 0, 1, 2  # what a row of the query below is


def _thread_sql(senders: bool) -> str:
    quote = connection.ops.quote_name
    ref, message, mailbox = (
        quote(model._meta.db_table) for model in (MessageRef, Message, Mailbox)
    )
    # Written out rather than built with the ORM: this runs for every mail we queue, in
    # the transaction that opens a ticket, and building these queries cost ten times what
    # the database spends on them.
    sql = (
        f"SELECT created_at, {REF}, id, message_id, direction, mailbox_id"  # noqa: S608
        f" FROM {ref} WHERE ticket_id = %s"
        f" UNION ALL SELECT created_at, {RECEIVED}, id, source_id, '', NULL"
        f" FROM {message} WHERE ticket_id = %s AND channel = %s AND direction = %s"
        " AND source_id <> ''"
    )
    if senders:
        sql += (
            f" UNION ALL SELECT NULL, {SENDER}, id, from_address, '', organization_id"  # noqa: S608
            f" FROM {mailbox} WHERE is_active = %s AND (organization_id = %s"
            " OR organization_id IS NULL"
            f" OR id IN (SELECT mailbox_id FROM {ref} WHERE ticket_id = %s AND direction = %s))"
        )
    return sql


def thread_read(ticket: Ticket, *, senders: bool = True) -> Thread:
    """The ticket's Message-IDs, the mailboxes its mail came to and those that may answer
    it, in one query.

    Mail received is read from the ticket's messages too: the confirmation of a new
    ticket is queued inside ingest, before the channel records its own reference.
    """
    params: list[Any] = [ticket.pk, ticket.pk, Channel.EMAIL.value, Direction.INBOUND.value]
    if senders:
        params += [True, ticket.organization_id, ticket.pk, RefDirection.INBOUND.value]
    with connection.cursor() as cursor:
        cursor.execute(_thread_sql(senders), params)
        rows = cursor.fetchall()
    found = sorted(Sender(row[2], row[5], row[3]) for row in rows if row[1] == SENDER)
    rows = [row for row in rows if row[1] != SENDER]
    # By time, then references before received mail, then rows.
    rows.sort(key=lambda row: (_as_datetime(row[0]), row[1], row[2]))
    ids = list(dict.fromkeys(row[3] for row in rows))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    received_in = [
        row[5]
        for row in reversed(rows)
        if row[1] == REF and row[4] == RefDirection.INBOUND and row[5] is not None
    ]
    return Thread(ids, received_in, found if senders else None)


def _as_datetime(value: Any) -> datetime:
    """A time as the ORM reads it: SQLite hands text back to a raw cursor."""
    if isinstance(value, datetime):
        return value
    return connection.ops.convert_datetimefield_value(value, None, connection)
