"""PagerDuty Events API v2 (``/v2/enqueue``), which Uptime Kuma, Gatus and others speak.

``event_action`` trigger / acknowledge / resolve, correlated by ``dedup_key``; a trigger
without one gets a new key, returned in the answer as PagerDuty does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

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
    text,
    timestamp,
)

ACTIONS = {"trigger": FIRING, "acknowledge": ACKNOWLEDGED, "resolve": RESOLVED}
SEVERITIES = ("critical", "error", "warning", "info")


def routing_key(body: bytes) -> str:
    """The routing key of an event, or "" (the shared endpoint finds the integration by it)."""
    try:
        return text(json_object(body), "routing_key")
    except ParseError:
        return ""


def parse(body: bytes) -> list[ParsedAlert]:
    data = json_object(body)
    action = text(data, "event_action", required=True)
    if action not in ACTIONS:
        raise ParseError(_("event_action must be trigger, acknowledge or resolve."))
    dedup_key = text(data, "dedup_key")
    if len(dedup_key) > 255:
        raise ParseError(_("dedup_key must be at most 255 characters."))
    if not dedup_key:
        if action != "trigger":
            raise ParseError(_("dedup_key is required to acknowledge or resolve."))
        dedup_key = uuid.uuid4().hex
    payload = data.get("payload")
    if action == "trigger" and not isinstance(payload, dict):
        raise ParseError(_("payload is required for a trigger event."))
    payload = payload if isinstance(payload, dict) else {}
    summary = text(payload, "summary", required=action == "trigger", where="payload.")
    source = text(payload, "source", required=action == "trigger", where="payload.")
    severity = text(payload, "severity", required=action == "trigger", where="payload.")
    if severity and severity not in SEVERITIES:
        raise ParseError(_("payload.severity must be critical, error, warning or info."))
    labels = {
        k: v
        for k in ("source", "component", "group", "class")
        if (v := text(payload, k, where="payload."))
    }
    details: dict[str, Any] = {}
    custom = payload.get("custom_details")
    if custom is not None:
        details["custom_details"] = custom
    raw_links = data.get("links")
    links = (
        [x for x in raw_links if isinstance(x, dict) and isinstance(x.get("href"), str)]
        if (isinstance(raw_links, list))
        else []
    )
    description = "\n".join(
        filter(
            None,
            [
                _("Source: %(source)s") % {"source": source} if source else "",
                _("Labels:") + "\n" + lines(labels) if labels else "",
                _("Details:") + "\n" + json.dumps(custom, indent=2, ensure_ascii=False)
                if custom
                else "",
                "\n".join(f"{x.get('text') or x['href']}: {x['href']}" for x in links),
            ],
        )
    )
    client = text(data, "client")
    return [
        ParsedAlert(
            identity=fit(dedup_key),
            group=fit(dedup_key),
            action=ACTIONS[action],
            title=(summary or dedup_key)[:255],
            severity=severity,
            description=description,
            labels=labels,
            details={**details, **({"client": client} if client else {})},
            source_url=(text(data, "client_url") or (links[0]["href"] if links else ""))[:2000],
            starts_at=timestamp(payload, "timestamp", where="payload.")
            if action == "trigger"
            else None,
        )
    ]
