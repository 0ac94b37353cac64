"""Zabbix, through the webhook media type shipped in ``channels/alerts/zabbix/``.

The script posts one event: its id (a recovery carries the id of the problem it ends),
value 1 (problem) or 0 (resolved), severity, host, trigger, subject and message. Events
of one trigger share an incident, so a flapping trigger stays one incident.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dutydesk.channels.alerts.parsers import (
    ACKNOWLEDGED,
    FIRING,
    RESOLVED,
    ParsedAlert,
    ParseError,
    fit,
    json_object,
    text,
)

NUMERIC_SEVERITY = {
    "0": "not classified",
    "1": "information",
    "2": "warning",
    "3": "average",
    "4": "high",
    "5": "disaster",
}


def _field(data: dict, name: str, *, required: bool = False) -> str:
    value = text(data, name, required=required).strip()
    if value.startswith("{") and value.endswith("}"):
        # A macro Zabbix could not resolve ({TRIGGER.ID} in a discovery event…).
        if required:
            raise ParseError(_("The field %(name)s was not filled in by Zabbix.") % {"name": name})
        return ""
    return value


def parse(body: bytes) -> list[ParsedAlert]:
    data = json_object(body)
    event_id = _field(data, "event_id", required=True)
    value = _field(data, "value", required=True)
    if value not in ("0", "1"):
        raise ParseError(_("The field value must be 1 (problem) or 0 (resolved)."))
    action = FIRING if value == "1" else RESOLVED
    if value == "1" and _field(data, "update") == "1":
        action = ACKNOWLEDGED  # an update operation: acknowledged, commented, …
    host = _field(data, "host")
    trigger = _field(data, "trigger")
    subject = _field(data, "subject")
    title = subject or ": ".join(filter(None, [host, trigger])) or f"Zabbix event {event_id}"
    severity = _field(data, "severity") or NUMERIC_SEVERITY.get(_field(data, "nseverity"), "")
    group = _field(data, "trigger_id") or (f"{host}\n{trigger}" if host or trigger else "")
    labels = {k: v for k in ("host", "trigger", "trigger_id") if (v := _field(data, k))}
    if tags := _field(data, "tags"):
        labels["tags"] = tags[:1000]
    return [
        ParsedAlert(
            identity=fit(f"event:{event_id}"),
            group=fit(f"trigger:{group}" if group else f"event:{event_id}"),
            action=action,
            title=title[:255],
            severity=severity.lower(),
            description=_field(data, "message"),
            labels=labels,
            details={"event_id": event_id, "update_action": _field(data, "update_action")},
            source_url=_field(data, "url")[:2000],
        )
    ]
