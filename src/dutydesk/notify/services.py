"""Queuing deliveries: called inside the transaction of the change they report."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dutydesk.notify import tasks
from dutydesk.notify.models import Delivery, DeliveryChannel, DeliveryStatus


def delivery_queue(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    ticket=None,
    channel: str = DeliveryChannel.EMAIL,
    headers: dict[str, str] | None = None,
    payload: dict | None = None,
) -> Delivery:
    """Write a delivery row; after commit, hand it to the worker (the sweep is the safety net)."""
    delivery = Delivery.objects.create(
        channel=channel,
        kind=kind,
        recipient=recipient,
        subject=subject[:255],
        body=body,
        headers=headers or {},
        payload=payload or {},
        ticket=ticket,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: tasks.deliver(delivery.pk))
    return delivery


def deliveries_retry(deliveries: QuerySet[Delivery]) -> int:
    """Make failed deliveries due now with a fresh attempt budget; the sweep sends them."""
    return deliveries.filter(status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )


def deliveries_cancel(deliveries: QuerySet[Delivery], *, reason: str) -> int:
    """Withdraw unsent deliveries; they are kept, with the reason, but never sent."""
    return deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None, last_error=reason
    )
