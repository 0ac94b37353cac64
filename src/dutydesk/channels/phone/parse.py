"""The call-event JSON a PBX posts, validated field by field (docs/phone.md documents it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dutydesk.channels.phone.models import CallEventKind

_NUMBER = re.compile(r"^[+0-9()\- .#*a-zA-Z]{1,64}$")


@dataclass(frozen=True)
class CallEvent:
    call_id: str
    event: str
    caller: str
    callee: str = ""
    agent: str = ""
    started_at: datetime | None = None
    duration: int | None = None
    recording_url: str = ""


class EventInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("The call event is not valid."))
        self.errors = errors


def _text(data: dict, name: str, errors: dict, *, required: bool, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        errors[name] = _("must be a string")
        return ""
    value = str(value).strip()
    if required and not value:
        errors[name] = _("is required")
    elif len(value) > limit or "\x00" in value:
        errors[name] = _("must be at most %(n)d characters") % {"n": limit}
    return value


def call_event_parse(data: object) -> CallEvent:
    """A CallEvent, or EventInvalid naming every bad field."""
    if not isinstance(data, dict):
        raise EventInvalid({"body": _("must be a JSON object")})
    errors: dict[str, str] = {}
    call_id = _text(data, "call_id", errors, required=True, limit=128)
    event = _text(data, "event", errors, required=True, limit=10).lower()
    if event and event not in CallEventKind.values:
        errors["event"] = _("must be one of ringing, answered, missed, ended")
    caller = _text(data, "caller", errors, required=True, limit=64)
    if caller and not _NUMBER.match(caller):
        errors["caller"] = _("is not a phone number")
    callee = _text(data, "callee", errors, required=False, limit=64)
    agent = _text(data, "agent", errors, required=False, limit=254).lower()
    started_at = None
    if raw := data.get("started_at"):
        started_at = parse_datetime(raw) if isinstance(raw, str) else None
        if started_at is None or started_at.tzinfo is None:
            errors["started_at"] = _("must be an ISO 8601 time with a zone offset")
    duration = data.get("duration")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration < 10**7
    ):
        errors["duration"] = _("must be a whole number of seconds")
    recording_url = _text(data, "recording_url", errors, required=False, limit=1000)
    if recording_url:
        try:
            URLValidator(schemes=["http", "https"])(recording_url)
        except ValidationError:
            errors["recording_url"] = _("must be an http(s) URL")
    if errors:
        raise EventInvalid(errors)
    return CallEvent(
        call_id=call_id,
        event=event,
        caller=caller,
        callee=callee,
        agent=agent,
        started_at=started_at,
        duration=duration,
        recording_url=recording_url,
    )
