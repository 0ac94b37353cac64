"""The intake log stays bounded: old rows go, rejected ones are kept longer for admins."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dutydesk.channels.alerts.models import IntakeLog, IntakeStatus

KEEP_DAYS = 30
KEEP_REJECTED_DAYS = 90
BATCH = 5000


def intake_log_prune() -> int:
    """Delete expired log rows in batches (short transactions); returns how many went."""
    now = timezone.now()
    expired = IntakeLog.objects.filter(received_at__lt=now - timedelta(days=KEEP_DAYS)).exclude(
        status=IntakeStatus.REJECTED
    ) | IntakeLog.objects.filter(
        status=IntakeStatus.REJECTED, received_at__lt=now - timedelta(days=KEEP_REJECTED_DAYS)
    )
    deleted = 0
    while ids := list(expired.order_by().values_list("pk", flat=True)[:BATCH]):
        deleted += IntakeLog.objects.filter(pk__in=ids).delete()[0]
    return deleted
