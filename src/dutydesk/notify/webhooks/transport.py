"""Sending one subscription delivery: sign it, POST it, log the attempt, judge the answer."""

from __future__ import annotations

import time

import httpx
from django.utils import timezone

from dutydesk.core.crypto import secret_decrypt
from dutydesk.notify.http import http_client
from dutydesk.notify.models import Delivery, WebhookAttempt
from dutydesk.notify.webhooks.signing import signature

EXCERPT_CHARS = 500
READ_LIMIT = 16 * 1024  # bytes of the answer read for the log; the rest is not waited for


class DeliveryCancelled(Exception):
    """The delivery must not be sent at all (its subscription is paused)."""


class ReceiverRefused(Exception):
    """No 2xx from the receiver; ``record`` is the attempt's log row, saved with the outcome."""

    def __init__(self, error: str, record: WebhookAttempt) -> None:
        super().__init__(error)
        self.record = record


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    with http_client().stream("POST", url, content=body, headers=headers) as response:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= READ_LIMIT:
                break
        text = b"".join(chunks)[:READ_LIMIT].decode("utf-8", "replace")
        return response.status_code, text


def webhook_send(delivery: Delivery) -> WebhookAttempt:
    """POST the signed document; raises on anything but a 2xx (the outbox retries).

    The attempt's log row is returned (or carried by the exception), not saved: the outbox
    saves it with the delivery's new status, in one transaction."""
    subscription = delivery.webhook
    if subscription is None or not subscription.is_active:
        raise DeliveryCancelled("subscription is paused")
    body = delivery.body.encode()
    timestamp = int(time.time())
    secret = secret_decrypt(subscription.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "X-DutyDesk-Event": delivery.kind,
        "X-DutyDesk-Delivery": str(delivery.payload.get("event_id", delivery.pk)),
        "X-DutyDesk-Timestamp": str(timestamp),
        "X-DutyDesk-Signature": signature(secret, timestamp, body),
    }
    started, clock = timezone.now(), time.perf_counter()
    code, excerpt, error = None, "", ""
    try:
        code, excerpt = _post(subscription.url, body, headers)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    attempt = WebhookAttempt(
        delivery=delivery,
        subscription=subscription,
        number=delivery.attempts,
        started_at=started,
        ok=not error,
        response_code=code,
        latency_ms=round((time.perf_counter() - clock) * 1000),
        error=error[:2000],
        response_excerpt=excerpt[:EXCERPT_CHARS],
    )
    if error:
        raise ReceiverRefused(error, attempt)
    return attempt
