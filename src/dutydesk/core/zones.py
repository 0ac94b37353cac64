"""Time zones by their IANA names, as people type and store them."""

from __future__ import annotations

import functools
import zoneinfo
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


@functools.cache
def _zones_by_region() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        region, slash, place = name.partition("/")
        if slash:
            regions.setdefault(region, []).append((name, place.replace("_", " ")))
    return tuple((region, tuple(zones)) for region, zones in regions.items())


def zone_choices(blank: str = "") -> list:
    """Choices for a select of time zones: UTC, then the IANA zones grouped by region
    ("Europe" → "Moscow"), stored by their full names. ``blank`` labels an empty first
    choice (for "use the default")."""
    choices: list = [("", blank)] if blank else []
    choices.append(("UTC", "UTC"))
    choices.extend((region, list(zones)) for region, zones in _zones_by_region())
    return choices
