"""Claiming and sending deliveries; the worker's half of the outbox."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from dutydesk.notify.http import http_client
from dutydesk.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from dutydesk.notify.webhooks.transport import DeliveryCancelled, webhook_send

log = logging.getLogger(__name__)

# How long a claimed delivery stays reserved for the worker sending it. A worker that
# dies mid-send leaves the row due again after this.
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Exponential delay after the given number of failed attempts, capped at an hour."""
    delay = timedelta(seconds=settings.DELIVERY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def deliveries_claim(delivery_ids: list[int]) -> list[Delivery]:
    """Reserve the due ones of these deliveries for this worker, in one transaction; rows
    another worker holds or has claimed are left out."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("pk")
        )
        if rows:
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + LEASE, attempts=F("attempts") + 1
            )
    for row in rows:
        row.attempts += 1
    return rows


def _send_email(delivery: Delivery) -> None:
    """Text, plus HTML, attachments, CC and thread headers when the payload has them."""
    payload = delivery.payload or {}
    headers = dict(delivery.headers or {})
    if payload.get("message_id"):
        headers["Message-ID"] = payload["message_id"]
    if payload.get("in_reply_to"):
        headers["In-Reply-To"] = payload["in_reply_to"]
    if payload.get("references"):
        headers["References"] = " ".join(payload["references"])
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=payload.get("from") or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        cc=payload.get("cc") or None,
        headers=headers or None,
        connection=get_connection(fail_silently=False),
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for item in payload.get("attachments", []):
        # A file deleted since the reply was queued fails the delivery (it is retried, then
        # shown as failed) rather than sending the reply without it unnoticed.
        with default_storage.open(item["path"], "rb") as handle:
            message.attach(item["filename"], handle.read(), item.get("content_type") or None)
    message.send()


def _send_webhook(delivery: Delivery) -> Any:
    """A subscription's signed event, or a plain POST of the payload's JSON document (an
    on-call page's webhook contact); any non-2xx is a failure."""
    if delivery.webhook_id is not None:
        return webhook_send(delivery)
    response = http_client().post(
        delivery.recipient,
        json=delivery.payload.get("json", {"subject": delivery.subject, "body": delivery.body}),
        headers=delivery.headers or {},
    )
    response.raise_for_status()


# A sender raises to fail; it may return (or attach to its exception as ``record``) a
# model instance to save with the outcome, such as a webhook's attempt log row.
Sender = Callable[[Delivery], Any]
SENDERS: dict[str, Sender] = {
    DeliveryChannel.EMAIL: _send_email,
    DeliveryChannel.WEBHOOK: _send_webhook,
}
BATCH = 16  # deliveries claimed, sent, then recorded together
RELEASED = "released"  # claimed but not tried (the batch ran out of time)


@dataclass
class _Outcome:
    delivery: Delivery
    status: str
    error: str = ""
    record: models.Model | None = None


def register_sender(channel: str, sender: Sender) -> None:
    """Let an app send one channel's deliveries (e.g. Telegram from its channel app)."""
    SENDERS[channel] = sender


def _attempt(delivery: Delivery) -> _Outcome:
    try:
        sender = SENDERS.get(delivery.channel)
        if sender is None:
            raise LookupError(f"no sender for channel {delivery.channel!r}")
        record = sender(delivery)
    except DeliveryCancelled as exc:
        return _Outcome(delivery, DeliveryStatus.CANCELLED, str(exc))
    except Exception as exc:  # any failure of the transport is recorded and retried
        log.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        failed = delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
        error = f"{type(exc).__name__}: {exc}"[:2000]
        return _Outcome(delivery, status, error, getattr(exc, "record", None))
    return _Outcome(delivery, DeliveryStatus.SENT, record=record)


def _record(outcomes: list[_Outcome]) -> None:
    """Write a batch's outcomes in one transaction (one commit instead of one per row)."""
    now = timezone.now()
    with transaction.atomic():
        records = [o.record for o in outcomes if isinstance(o.record, models.Model)]
        if records:  # a delivery deleted while it was being sent (its subscription went)
            alive = set(
                Delivery.objects.filter(pk__in=[o.delivery.pk for o in outcomes]).values_list(
                    "pk", flat=True
                )
            )
            records = [r for r in records if getattr(r, "delivery_id", None) in alive | {None}]
        for model in {type(r) for r in records}:
            model.objects.bulk_create([r for r in records if type(r) is model])
        sent = [o.delivery.pk for o in outcomes if o.status == DeliveryStatus.SENT]
        if sent:
            Delivery.objects.filter(pk__in=sent).update(
                status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=""
            )
        for o in outcomes:
            if o.status == DeliveryStatus.SENT:
                continue
            if o.status == RELEASED:  # not tried: due again now, the attempt not counted
                Delivery.objects.filter(pk=o.delivery.pk).update(
                    next_attempt_at=now, attempts=F("attempts") - 1
                )
                continue
            retry = o.status == DeliveryStatus.PENDING
            Delivery.objects.filter(pk=o.delivery.pk).update(
                status=o.status,
                next_attempt_at=now + backoff(o.delivery.attempts) if retry else None,
                last_error=o.error,
            )


def deliveries_send(delivery_ids: list[int]) -> dict[int, str]:
    """Claim, send and record deliveries, ``BATCH`` at a time; each one's status after.

    A batch stops sending at half its lease (slow receivers), so no other worker takes
    its rows while they are still being sent; what it did not try is due again at once.
    A worker that dies after sending but before recording sends those again after the
    lease: delivery is at least once, and receivers dedup by delivery id.
    """
    statuses: dict[int, str] = {}
    budget = LEASE.total_seconds() / 2
    for start in range(0, len(delivery_ids), BATCH):
        rows = deliveries_claim(delivery_ids[start : start + BATCH])
        if not rows:
            continue
        began = time.monotonic()
        outcomes = [
            _attempt(row) if time.monotonic() - began < budget else _Outcome(row, RELEASED)
            for row in rows
        ]
        _record(outcomes)
        for o in outcomes:
            statuses[o.delivery.pk] = DeliveryStatus.PENDING if o.status == RELEASED else o.status
    return statuses


def delivery_send(delivery_id: int) -> str:
    """Claim and send one delivery; returns its status afterwards (or "skipped")."""
    return deliveries_send([delivery_id]).get(delivery_id, "skipped")


def due_delivery_ids(limit: int = 200) -> list[int]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_sweep(limit: int = 200) -> int:
    """Send everything due, whether or not its queue task still exists; returns how many sent."""
    statuses = deliveries_send(due_delivery_ids(limit))
    return sum(status == DeliveryStatus.SENT for status in statuses.values())
