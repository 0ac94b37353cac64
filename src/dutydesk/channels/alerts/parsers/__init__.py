"""One parser per source, each ``parse(body: bytes) -> list[ParsedAlert]``.

A parser only reads the payload: it raises ``ParseError`` with a reason a person can act
on, and never touches the database. Adding a source means copying a neighbour.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

# Actions a source can report about one alert.
FIRING = "firing"
RESOLVED = "resolved"
ACKNOWLEDGED = "acknowledged"

MAX_ALERTS = 1000  # per request; Alertmanager's max_alerts is unlimited by default


class ParseError(ValueError):
    """The payload cannot be understood; the message says why."""


@dataclass(frozen=True)
class ParsedAlert:
    identity: str  # the source's own id for this alert (fits 255 characters)
    group: str  # alerts of one group share an incident
    action: str  # FIRING, RESOLVED or ACKNOWLEDGED
    title: str
    severity: str = ""
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    source_url: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None


Parser = Callable[[bytes], list[ParsedAlert]]


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ParseError(_("The body is not UTF-8 text.")) from exc
    except json.JSONDecodeError as exc:
        raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise ParseError(_("The body must be a JSON object."))
    return data


def text(data: dict[str, Any], name: str, *, required: bool = False, where: str = "") -> str:
    """A string field (numbers are accepted and turned into text)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ParseError(_("The field %(name)s is required.") % {"name": where + name})
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ParseError(_("The field %(name)s must be a string.") % {"name": where + name})
    value = str(value)
    if "\x00" in value:
        raise ParseError(_("The field %(name)s contains a NUL character.") % {"name": where + name})
    return value


def string_map(data: dict[str, Any], name: str, *, where: str = "") -> dict[str, str]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(_("The field %(name)s must be an object.") % {"name": where + name})
    out = {}
    for key, item in value.items():
        if isinstance(item, dict | list) or "\x00" in str(key) + str(item):
            raise ParseError(
                _("The field %(name)s must map names to strings.") % {"name": where + name}
            )
        out[str(key)] = "" if item is None else str(item)
    return out


def timestamp(data: dict[str, Any], name: str, *, where: str = "") -> datetime | None:
    """An ISO 8601 instant; Go's zero time ("0001-01-01T00:00:00Z") means none."""
    value = text(data, name, where=where)
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ParseError(
            _("The field %(name)s is not an ISO 8601 time.") % {"name": where + name}
        ) from exc
    if moment.tzinfo is None:
        raise ParseError(_("The field %(name)s needs a time zone.") % {"name": where + name})
    return moment


def fit(value: str, limit: int = 255) -> str:
    """Keep an identity within its column: long ones become a prefix plus their hash."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()
    return value[: limit - len(digest) - 1] + "~" + digest


def lines(pairs: dict[str, str]) -> str:
    return "\n".join(f"  {k} = {v}" for k, v in sorted(pairs.items()))
