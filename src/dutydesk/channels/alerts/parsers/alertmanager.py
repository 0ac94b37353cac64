"""Prometheus Alertmanager's webhook (payload version 4).

One request is one notification for one alert group: ``groupKey`` names the group and
each alert carries its ``fingerprint``. Alertmanager in HA sends the same notification
from every replica, so the identity (groupKey + fingerprint) is what makes them one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dutydesk.channels.alerts.parsers import (
    FIRING,
    MAX_ALERTS,
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

VERSION = "4"


def parse(body: bytes) -> list[ParsedAlert]:
    data = json_object(body)
    version = text(data, "version")
    if version and version != VERSION:
        raise ParseError(
            _("Unsupported webhook payload version %(version)s (expected 4).")
            % {"version": version}
        )
    return alerts_of(data, extra_of=lambda item: {})


def alerts_of(data: dict[str, Any], *, extra_of: Any) -> list[ParsedAlert]:
    """The alerts of an Alertmanager-shaped payload (Grafana's is one too)."""
    group_key = text(data, "groupKey", required=True)
    items = data.get("alerts")
    if not isinstance(items, list) or not items:
        raise ParseError(_("The field alerts must be a non-empty list."))
    if len(items) > MAX_ALERTS:
        raise ParseError(_("At most %(n)d alerts per request.") % {"n": MAX_ALERTS})
    common = string_map(data, "commonLabels")
    parsed = []
    for n, item in enumerate(items):
        where = f"alerts[{n}]."
        if not isinstance(item, dict):
            raise ParseError(_("Each alert must be an object."))
        status = text(item, "status", required=True, where=where)
        if status not in (FIRING, RESOLVED):
            raise ParseError(_("%(name)s must be firing or resolved.") % {"name": where + "status"})
        labels = {**common, **string_map(item, "labels", where=where)}
        annotations = string_map(item, "annotations", where=where)
        fingerprint = text(item, "fingerprint", required=True, where=where)
        name = labels.get("alertname", "")
        summary = annotations.get("summary") or annotations.get("description", "")
        target = labels.get("instance") or labels.get("host") or labels.get("job", "")
        title = ": ".join(filter(None, [name, summary])) or target or fingerprint
        if name and target and target not in title:
            title = f"{title} ({target})"
        extra_description = annotations.get("description", "")
        if extra_description == summary:
            extra_description = ""
        description = "\n".join(
            filter(
                None,
                [
                    extra_description,
                    _("Labels:") + "\n" + lines(labels) if labels else "",
                    _("Annotations:") + "\n" + lines(annotations) if annotations else "",
                ],
            )
        )
        parsed.append(
            ParsedAlert(
                identity=fit(f"{group_key}\n{fingerprint}"),
                group=fit(group_key),
                action=status,
                title=title[:255],
                severity=labels.get("severity", ""),
                description=description,
                labels=labels,
                details={"annotations": annotations, **extra_of(item)},
                source_url=text(item, "generatorURL", where=where)[:2000],
                starts_at=timestamp(item, "startsAt", where=where),
                ends_at=timestamp(item, "endsAt", where=where) if status == RESOLVED else None,
            )
        )
    return parsed
