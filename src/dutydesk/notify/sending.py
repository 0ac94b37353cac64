"""Claiming and sending deliveries; the worker's half of the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
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


def delivery_claim(delivery_id: int) -> Delivery | None:
    """Reserve a due delivery for this worker; None when it is not due or another has it."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Delivery.objects.select_related("webhook").get(pk=delivery_id)


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


def _send_webhook(delivery: Delivery) -> None:
    """A subscription's signed event, or a plain POST of the payload's JSON document (an
    on-call page's webhook contact); any non-2xx is a failure."""
    if delivery.webhook_id is not None:
        webhook_send(delivery)
        return
    response = http_client().post(
        delivery.recipient,
        json=delivery.payload.get("json", {"subject": delivery.subject, "body": delivery.body}),
        headers=delivery.headers or {},
    )
    response.raise_for_status()


Sender = Callable[[Delivery], None]
SENDERS: dict[str, Sender] = {
    DeliveryChannel.EMAIL: _send_email,
    DeliveryChannel.WEBHOOK: _send_webhook,
}


def register_sender(channel: str, sender: Sender) -> None:
    """Let an app send one channel's deliveries (e.g. Telegram from its channel app)."""
    SENDERS[channel] = sender


def delivery_send(delivery_id: int) -> str:
    """Claim and send one delivery; returns its status afterwards (or "skipped")."""
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return "skipped"
    try:
        sender = SENDERS.get(delivery.channel)
        if sender is None:
            raise LookupError(f"no sender for channel {delivery.channel!r}")
        sender(delivery)
    except DeliveryCancelled as exc:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.CANCELLED, next_attempt_at=None, last_error=str(exc)
        )
        return DeliveryStatus.CANCELLED
    except Exception as exc:  # any failure of the transport is recorded and retried
        failed = delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            next_attempt_at=None if failed else timezone.now() + backoff(delivery.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        return DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return DeliveryStatus.SENT


def due_delivery_ids(limit: int = 200) -> list[int]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_sweep(limit: int = 200) -> int:
    """Send everything due, whether or not its queue task still exists; returns how many sent."""
    return sum(delivery_send(pk) == DeliveryStatus.SENT for pk in due_delivery_ids(limit))
