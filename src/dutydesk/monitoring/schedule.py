"""When a heartbeat is next expected: after its period, or at its cron expression's next fire."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from cronsim import CronSim, CronSimError

from dutydesk.monitoring.models import Check


def heartbeat_expected(config: dict, after: datetime) -> datetime:
    """The instant the job should next report, from its period or cron in its time zone."""
    cron = config.get("cron") or ""
    if cron:
        try:
            tz = zoneinfo.ZoneInfo(config.get("time_zone") or "UTC")
            return next(CronSim(cron, after.astimezone(tz))).astimezone(zoneinfo.ZoneInfo("UTC"))
        except (CronSimError, ValueError, StopIteration, zoneinfo.ZoneInfoNotFoundError):
            pass
    return after + timedelta(seconds=config.get("period_seconds") or 86400)


def heartbeat_deadline(config: dict, after: datetime) -> datetime:
    """Expected instant plus the grace time: a ping later than this is a missed heartbeat."""
    return heartbeat_expected(config, after) + timedelta(seconds=config.get("grace_seconds") or 0)


def heartbeat_next_due(check: Check, after: datetime) -> datetime:
    return heartbeat_deadline(check.config or {}, after)
