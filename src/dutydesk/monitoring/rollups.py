"""Rollups: raw results folded into minute, hour and day buckets; old rows pruned.

Each level is recomputed from the finer one for the recent buckets only, with an upsert,
so a refresh is idempotent and a late result is counted on the next pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncHour, TruncMinute
from django.utils import timezone

from dutydesk.monitoring.models import CheckResult, Resolution, ResultStatus, Rollup, StateChange

UPDATE_FIELDS = [
    "up",
    "down",
    "maintenance",
    "latency_min",
    "latency_max",
    "latency_sum",
    "latency_count",
]


def _floor(at: datetime, resolution: str) -> datetime:
    at = at.astimezone(UTC)
    if resolution == Resolution.MINUTE:
        return at.replace(second=0, microsecond=0)
    if resolution == Resolution.HOUR:
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _upsert(resolution: str, rows: QuerySet) -> int:
    objects = [
        Rollup(
            check_ref_id=row["check_ref_id"],
            resolution=resolution,
            bucket=row["b"],
            up=row["up"] or 0,
            down=row["down"] or 0,
            maintenance=row["maint"] or 0,
            latency_min=row["lmin"],
            latency_max=row["lmax"],
            latency_sum=row["lsum"] or 0,
            latency_count=row["lcount"] or 0,
        )
        for row in rows
    ]
    Rollup.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["check_ref", "resolution", "bucket"],
        update_fields=UPDATE_FIELDS,
    )
    return len(objects)


def rollup_refresh(*, now: datetime | None = None, lookback_minutes: int = 5) -> int:
    """Recompute the buckets that results of the last ``lookback_minutes`` fall into."""
    now = now or timezone.now()
    since = _floor(now - timedelta(minutes=lookback_minutes), Resolution.MINUTE)
    raw = (
        CheckResult.objects.filter(at__gte=since)
        .annotate(b=TruncMinute("at", tzinfo=UTC))
        .values("check_ref_id", "b")
        .annotate(
            up=Count("id", filter=Q(status=ResultStatus.UP)),
            down=Count("id", filter=Q(status=ResultStatus.DOWN)),
            maint=Count("id", filter=Q(status=ResultStatus.MAINTENANCE)),
            lmin=Min("latency_ms"),
            lmax=Max("latency_ms"),
            lsum=Sum("latency_ms"),
            lcount=Count("latency_ms"),
        )
        .order_by()
    )
    written = _upsert(Resolution.MINUTE, raw)
    for finer, coarser, trunc in (
        (Resolution.MINUTE, Resolution.HOUR, TruncHour),
        (Resolution.HOUR, Resolution.DAY, TruncDay),
    ):
        rows = (
            Rollup.objects.filter(resolution=finer, bucket__gte=_floor(since, coarser))
            .annotate(b=trunc("bucket", tzinfo=UTC))
            .values("check_ref_id", "b")
            .annotate(
                up=Sum("up"),
                down=Sum("down"),
                maint=Sum("maintenance"),
                lmin=Min("latency_min"),
                lmax=Max("latency_max"),
                lsum=Sum("latency_sum"),
                lcount=Sum("latency_count"),
            )
            .order_by()
        )
        written += _upsert(coarser, rows)
    return written


def rollup_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete raw results and buckets past their retention, so the database stays bounded."""
    now = now or timezone.now()
    conf = settings.MONITORING
    deleted = {
        "results": CheckResult.objects.filter(
            at__lt=now - timedelta(hours=conf["raw_retention_hours"])
        ).delete()[0],
        "minutes": Rollup.objects.filter(
            resolution=Resolution.MINUTE,
            bucket__lt=now - timedelta(hours=conf["minute_retention_hours"]),
        ).delete()[0],
        "hours": Rollup.objects.filter(
            resolution=Resolution.HOUR,
            bucket__lt=now - timedelta(days=conf["hour_retention_days"]),
        ).delete()[0],
        "days": Rollup.objects.filter(
            resolution=Resolution.DAY,
            bucket__lt=now - timedelta(days=conf["day_retention_days"]),
        ).delete()[0],
        "state_changes": StateChange.objects.filter(
            at__lt=now - timedelta(days=conf["day_retention_days"])
        ).delete()[0],
    }
    return deleted
