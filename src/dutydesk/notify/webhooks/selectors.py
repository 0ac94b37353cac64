"""Reads of webhook subscriptions and their delivery log (admins see all of them)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from dutydesk.notify.models import Delivery, WebhookAttempt, WebhookSubscription

RECENT = 5


def webhook_queryset() -> QuerySet[WebhookSubscription]:
    """Subscriptions with their organisation, creator and last few deliveries (3 queries)."""
    recent = Delivery.objects.select_related("ticket").order_by("-created_at", "-id")[:RECENT]
    return WebhookSubscription.objects.select_related(
        "organization", "created_by"
    ).prefetch_related(Prefetch("deliveries", queryset=recent, to_attr="recent_deliveries"))


def webhook_deliveries(
    subscription: WebhookSubscription, *, status: str | None = None, limit: int = 50
) -> list[Delivery]:
    """Newest first, each with every attempt (2 queries)."""
    deliveries = subscription.deliveries.select_related("ticket").order_by("-created_at", "-id")
    if status:
        deliveries = deliveries.filter(status=status)
    attempts = WebhookAttempt.objects.order_by("number", "id")
    return list(
        deliveries.prefetch_related(Prefetch("webhook_attempts", queryset=attempts))[:limit]
    )
