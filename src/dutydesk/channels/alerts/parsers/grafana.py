"""Grafana Alerting's webhook contact point: Alertmanager's shape plus title, state, message.

Grafana's payload says ``"version": "1"`` and adds, per alert, links to the dashboard,
panel and silence, and the query values. Identity and grouping are Alertmanager's.
"""

from __future__ import annotations

from typing import Any

from dutydesk.channels.alerts.parsers import ParsedAlert, json_object, text
from dutydesk.channels.alerts.parsers.alertmanager import alerts_of

LINKS = ("dashboardURL", "panelURL", "silenceURL")


def _extra(item: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {k: item[k] for k in LINKS if isinstance(item.get(k), str) and item[k]}
    if isinstance(item.get("values"), dict):
        extra["values"] = item["values"]
    if isinstance(item.get("valueString"), str) and item["valueString"]:
        extra["valueString"] = item["valueString"]
    return extra


def parse(body: bytes) -> list[ParsedAlert]:
    data = json_object(body)
    if not text(data, "groupKey"):
        # Old or hand-made payloads: one group per Grafana organisation.
        data = {**data, "groupKey": f"grafana-org-{text(data, 'orgId') or '1'}"}
    return alerts_of(data, extra_of=_extra)
