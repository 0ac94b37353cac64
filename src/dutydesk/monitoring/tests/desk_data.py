"""Latency history for the check pages: minute buckets for a day, hourly ones for a month."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from dutydesk.monitoring.models import Check, Resolution, Rollup


def latency_history(check: Check, now: datetime, *, base_ms: float = 80.0) -> None:
    """A daily latency wave, an outage of 20 minutes two hours ago and a slow hour a week ago.

    It replaces the minute and hour buckets that the check's recorded results made."""
    Rollup.objects.filter(
        check_ref=check, resolution__in=[Resolution.MINUTE, Resolution.HOUR]
    ).delete()
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    rows = []
    for offset in range(1, 24 * 60 + 1):
        bucket = minute - timedelta(minutes=offset)
        wave = base_ms * (1 + 0.35 * math.sin(offset / 180) + 0.1 * math.sin(offset / 7))
        down = 1 if 120 <= offset < 140 else 0
        rows.append(_bucket(check, Resolution.MINUTE, bucket, 1 - down, down, wave, 1 - down))
    hour = minute.replace(minute=0)
    for offset in range(1, 30 * 24 + 1):
        bucket = hour - timedelta(hours=offset)
        slow = 3 if 7 * 24 <= offset < 7 * 24 + 2 else 1
        wave = base_ms * slow * (1 + 0.3 * math.sin(offset / 12))
        down = 20 if offset == 2 else 5 if offset == 7 * 24 else 0
        rows.append(_bucket(check, Resolution.HOUR, bucket, 60 - down, down, wave, 60 - down))
    Rollup.objects.bulk_create(rows)


def _bucket(check, resolution, bucket, up, down, latency, count) -> Rollup:
    return Rollup(
        check_ref=check,
        resolution=resolution,
        bucket=bucket,
        up=up,
        down=down,
        latency_min=latency * 0.8 if count else None,
        latency_max=latency * 1.6 if count else None,
        latency_sum=latency * count,
        latency_count=count,
    )
