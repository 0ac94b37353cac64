"""Turning timeline events into webhook deliveries, in the transaction that records them.

``tickets.services.events.event_record`` calls ``ticket_event_emit`` for every timeline
event. The cost is kept off the ticket paths:

- with no active subscription, nothing is queried for ``EMPTY_CACHE_SECONDS`` after a
  look found none (a subscription saved in this process clears that at once; other
  processes see a new one within that time);
- otherwise the active subscriptions are read once per transaction, and matched in memory;
- a ticket's ``ticket.updated`` changes of one transaction become one delivery, and none
  when the ticket was created in it (``ticket.created`` carries the final state);
- the documents written in a transaction are refreshed when their ticket is saved later
  in it, so they show the ticket as committed, not half-way through a change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from dutydesk.notify import tasks
from dutydesk.notify.models import Delivery, DeliveryChannel, WebhookSubscription
from dutydesk.notify.webhooks.events import (
    change,
    document_new,
    document_text,
    event_names,
    ticket_snapshot,
)
from dutydesk.tickets.models import Ticket, TicketEvent

EMPTY_CACHE_SECONDS = 10.0
_empty_until = 0.0
_BATCH_ATTR = "_dutydesk_webhook_batch"


def subscriptions_changed() -> None:
    """Forget that there were none (called when a subscription is saved or deleted)."""
    global _empty_until
    _empty_until = 0.0


@dataclass
class _Written:
    document: dict[str, Any]
    delivery_ids: list[int]


@dataclass
class _Batch:
    token: object
    marker: Callable[[], None]
    marker_index: int
    subscriptions: list[WebhookSubscription]
    written: dict[tuple[int, str], _Written] = field(default_factory=dict)
    by_ticket: dict[int, list[_Written]] = field(default_factory=dict)


def _token(conn: Any) -> object | None:
    """What identifies the current transaction: the outermost atomic block that is not a
    test case's own (in tests each service call is a savepoint inside the test's block)."""
    if not conn.in_atomic_block:
        return None
    for index, block in enumerate(conn.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return conn.savepoint_ids[index - 1] if index else "outermost"
    return None


def _alive(conn: Any, batch: _Batch) -> bool:
    # The marker is an on-commit callback of the batch's transaction: commit and rollback
    # empty that list, a rolled-back savepoint drops the callbacks registered in it.
    hooks = conn.run_on_commit
    index = batch.marker_index
    if index < len(hooks) and hooks[index][1] is batch.marker:
        return True
    return any(hook[1] is batch.marker for hook in hooks)


def _batch(conn: Any) -> _Batch | None:
    """This transaction's batch, created (one query) on its first event; None: no subscriber."""
    global _empty_until
    token = _token(conn)
    batch: _Batch | None = getattr(conn, _BATCH_ATTR, None)
    if token is not None and batch is not None and batch.token == token and _alive(conn, batch):
        return batch
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
    if not subscriptions:
        _empty_until = time.monotonic() + EMPTY_CACHE_SECONDS
        setattr(conn, _BATCH_ATTR, None)
        return None

    def marker() -> None:
        return None

    batch = _Batch(token, marker, len(conn.run_on_commit), subscriptions)
    if token is not None:
        transaction.on_commit(marker)
        setattr(conn, _BATCH_ATTR, batch)
    return batch


def ticket_event_emit(ticket: Ticket, event: TicketEvent) -> None:
    """Queue the webhook deliveries one timeline event stands for; cheap when none."""
    if time.monotonic() < _empty_until:
        return
    names = event_names(ticket, event)
    if not names:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    batch = _batch(conn)
    if batch is None:
        return
    for name in names:
        subscribers = [s for s in batch.subscriptions if s.wants(name, ticket.organization_id)]
        if not subscribers:
            continue
        if name == "ticket.updated":
            if (ticket.pk, "ticket.created") in batch.written:
                continue
            earlier = batch.written.get((ticket.pk, name))
            if earlier is not None:
                earlier.document["data"]["changes"].append(change(event))
                _rewrite(earlier)
                continue
        document = document_new(name, ticket, event)
        ids = _queue(name, document, subscribers, ticket)
        written = _Written(document, ids)
        batch.written[(ticket.pk, name)] = written
        batch.by_ticket.setdefault(ticket.pk, []).append(written)


def _queue(
    name: str, document: dict[str, Any], subscribers: list[WebhookSubscription], ticket: Ticket
) -> list[int]:
    """One outbox row per subscriber, one INSERT; the worker is told after commit."""
    now = timezone.now()
    body = document_text(document)
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                channel=DeliveryChannel.WEBHOOK,
                kind=name,
                recipient=s.url,
                body=body,
                payload={"event_id": document["id"]},
                webhook=s,
                ticket=ticket,
                next_attempt_at=now,
            )
            for s in subscribers
        ]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: tasks.deliver_many(ids))
    return ids


def _rewrite(written: _Written) -> None:
    Delivery.objects.filter(pk__in=written.delivery_ids).update(
        body=document_text(written.document)
    )


def ticket_saved(ticket: Ticket) -> None:
    """Show the saved ticket in the documents this transaction wrote about it."""
    conn = connections[DEFAULT_DB_ALIAS]
    batch: _Batch | None = getattr(conn, _BATCH_ATTR, None)
    if batch is None or ticket.pk not in batch.by_ticket:
        return
    if batch.token != _token(conn) or not _alive(conn, batch):
        return
    snapshot = ticket_snapshot(ticket)
    for written in batch.by_ticket[ticket.pk]:
        if written.document["data"]["ticket"] != snapshot:
            written.document["data"]["ticket"] = snapshot
            _rewrite(written)
