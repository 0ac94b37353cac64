"""DutyDesk's own JSON, for scripts and tools without a native format (docs/alerts.md).

    {"id": "disk-srv1", "status": "firing", "title": "Disk almost full on srv1",
     "message": "93% used", "severity": "critical", "source": "srv1",
     "url": "https://…", "labels": {"env": "prod"}, "group": "srv1"}

Only ``id``, ``status`` and (when firing) ``title`` are required.
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
    lines,
    string_map,
    text,
    timestamp,
)

STATUSES = {
    "firing": FIRING,
    "problem": FIRING,
    "trigger": FIRING,
    "triggered": FIRING,
    "resolved": RESOLVED,
    "ok": RESOLVED,
    "acknowledged": ACKNOWLEDGED,
}


def parse(body: bytes) -> list[ParsedAlert]:
    data = json_object(body)
    alert_id = text(data, "id", required=True)
    if len(alert_id) > 255:
        raise ParseError(_("id must be at most 255 characters."))
    status = text(data, "status", required=True).lower()
    if status not in STATUSES:
        raise ParseError(_("status must be firing, resolved or acknowledged."))
    action = STATUSES[status]
    title = text(data, "title", required=action == FIRING)
    message = text(data, "message")
    labels = string_map(data, "labels")
    if source := text(data, "source"):
        labels.setdefault("source", source)
    description = "\n".join(
        filter(None, [message, _("Labels:") + "\n" + lines(labels) if labels else ""])
    )
    return [
        ParsedAlert(
            identity=fit(alert_id),
            group=fit(text(data, "group") or alert_id),
            action=action,
            title=(title or alert_id)[:255],
            severity=text(data, "severity").lower(),
            description=description,
            labels=labels,
            source_url=text(data, "url")[:2000],
            starts_at=timestamp(data, "started_at"),
            ends_at=timestamp(data, "ended_at"),
        )
    ]
