"""Time zones by their IANA names, as people type and store them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_none(name: str) -> ZoneInfo | None:
    """The zone of that name, or None for an empty, malformed or unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone of that name; UTC when there is no such zone."""
    return zone_or_none(name) or ZoneInfo("UTC")
