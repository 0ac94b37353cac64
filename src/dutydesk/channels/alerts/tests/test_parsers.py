"""Each parser reads its source's documented payload and explains what it cannot read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dutydesk.channels.alerts.parsers import (
    ACKNOWLEDGED,
    FIRING,
    RESOLVED,
    ParseError,
    alertmanager,
    generic,
    grafana,
    pagerduty,
    zabbix,
)
from dutydesk.channels.alerts.tests.payloads import dumps, load


def test_alertmanager_v4_payload_gives_one_alert_per_fingerprint():
    [alert] = alertmanager.parse(dumps(load("alertmanager")))
    assert alert.action == FIRING
    assert alert.identity.endswith("\n1a30ba71cca2921f")
    assert alert.group == '{}/{severity="critical"}:{alertname="ProbeFailure"}'
    assert alert.severity == "critical"
    assert alert.title.startswith("ProbeFailure: BlackBox Probe Failure")
    assert alert.starts_at == datetime(2023, 2, 6, 13, 8, 45, 828000, tzinfo=UTC)
    assert alert.ends_at is None  # Go's zero time
    assert alert.source_url.startswith("http://prometheus.example.org:9090/graph")
    assert "has been down for over 5m" in alert.description


def test_alertmanager_resolved_alert_keeps_its_end():
    data = load("alertmanager")
    data["status"] = data["alerts"][0]["status"] = "resolved"
    data["alerts"][0]["endsAt"] = "2023-02-06T13:20:00Z"
    [alert] = alertmanager.parse(dumps(data))
    assert alert.action == RESOLVED
    assert alert.ends_at == datetime(2023, 2, 6, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("groupKey"), "groupKey is required"),
        (lambda d: d.update(alerts=[]), "alerts must be a non-empty list"),
        (lambda d: d.update(version="3"), "Unsupported webhook payload version"),
        (lambda d: d["alerts"][0].update(status="pending"), "alerts[0].status"),
        (lambda d: d["alerts"][0].pop("fingerprint"), "alerts[0].fingerprint is required"),
        (lambda d: d["alerts"][0].update(startsAt="yesterday"), "alerts[0].startsAt"),
        (lambda d: d["alerts"][0].update(labels=["x"]), "alerts[0].labels must be an object"),
    ],
)
def test_alertmanager_payload_errors_name_the_field(change, reason):
    data = load("alertmanager")
    change(data)
    with pytest.raises(ParseError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        alertmanager.parse(dumps(data))


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'{"a": "\\u0000"}'])
def test_garbage_is_a_parse_error_not_an_exception(body):
    with pytest.raises(ParseError):
        alertmanager.parse(body)


def test_grafana_payload_is_read_with_its_links_and_values():
    alerts = grafana.parse(dumps(load("grafana")))
    assert [a.identity.split("\n")[1] for a in alerts] == ["c6eadffa33fcdf37", "bc97ff14869b13e3"]
    assert {a.group for a in alerts} == {"{}:{}"}
    assert alerts[0].labels["team"] == "blue"
    assert alerts[0].details["values"] == {"B": 44.23943737541908, "C": 1}
    assert "silenceURL" in alerts[0].details
    assert alerts[0].title == "High memory usage: This alert was triggered for zone us-1"


def test_zabbix_problem_and_its_recovery_share_the_event_identity():
    problem = load("zabbix")
    [fired] = zabbix.parse(dumps(problem))
    [resolved] = zabbix.parse(dumps({**problem, "value": "0"}))
    assert (fired.action, resolved.action) == (FIRING, RESOLVED)
    assert fired.identity == resolved.identity == "event:10452"
    assert fired.group == "trigger:23117"
    assert fired.severity == "high"
    assert fired.title == "Problem: /data: Disk space is critically low (used > 90%)"


def test_zabbix_update_is_an_acknowledgement_and_unresolved_macros_are_missing():
    data = {**load("zabbix"), "update": "1", "trigger_id": "{TRIGGER.ID}", "severity": ""}
    [alert] = zabbix.parse(dumps(data))
    assert alert.action == ACKNOWLEDGED
    assert alert.group == "trigger:srv-files01\n/data: Disk space is critically low (used > 90%)"
    assert alert.severity == "high"  # from nseverity 4
    with pytest.raises(ParseError, match="value must be 1"):
        zabbix.parse(dumps({**load("zabbix"), "value": "2"}))
    with pytest.raises(ParseError, match="event_id"):
        zabbix.parse(dumps({**load("zabbix"), "event_id": "{EVENT.ID}"}))


def test_pagerduty_trigger_from_the_documentation():
    [alert] = pagerduty.parse(dumps(load("pagerduty_trigger")))
    assert alert.action == FIRING
    assert alert.identity == alert.group == "samplekeyhere"
    assert alert.title == "Example alert on host1.example.com"
    assert alert.severity == "info"
    assert alert.labels["component"] == "postgres"
    assert "1500ms" in alert.description
    assert alert.source_url == "https://monitoring.example.com"
    assert alert.starts_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)


def test_pagerduty_trigger_without_dedup_key_gets_one_and_resolve_needs_one():
    data = load("pagerduty_trigger")
    del data["dedup_key"]
    [first] = pagerduty.parse(dumps(data))
    [second] = pagerduty.parse(dumps(data))
    assert len(first.identity) == 32 and first.identity != second.identity
    with pytest.raises(ParseError, match="dedup_key is required"):
        pagerduty.parse(dumps({"routing_key": "k", "event_action": "resolve"}))
    [resolve] = pagerduty.parse(
        dumps({"routing_key": "k", "dedup_key": "samplekeyhere", "event_action": "resolve"})
    )
    assert resolve.action == RESOLVED and resolve.identity == "samplekeyhere"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event_action": "escalate"}, "event_action must be"),
        ({"payload": None}, "payload is required"),
        ({"payload": {"summary": "x", "source": "y", "severity": "fatal"}}, "payload.severity"),
        ({"payload": {"source": "y", "severity": "info"}}, "payload.summary is required"),
        ({"dedup_key": "k" * 256}, "at most 255"),
    ],
)
def test_pagerduty_invalid_events_are_explained(change, reason):
    with pytest.raises(ParseError, match=reason):
        pagerduty.parse(dumps({**load("pagerduty_trigger"), **change}))


def test_pagerduty_routing_key_is_read_without_failing():
    assert pagerduty.routing_key(dumps(load("pagerduty_trigger"))) == "samplekeyhere"
    assert pagerduty.routing_key(b"nope") == ""


def test_generic_json_as_documented():
    [alert] = generic.parse(dumps(load("generic")))
    assert alert.identity == "backup-nightly-srv1"
    assert alert.group == "backups-srv1"
    assert alert.action == FIRING and alert.severity == "error"
    assert alert.labels == {"env": "prod", "job": "restic", "source": "srv1"}
    [resolved] = generic.parse(json.dumps({"id": "backup-nightly-srv1", "status": "ok"}).encode())
    assert resolved.action == RESOLVED and resolved.group == "backup-nightly-srv1"
    [gatus] = generic.parse(b'{"id": "x", "status": "TRIGGERED", "title": "down"}')
    assert gatus.action == FIRING
    with pytest.raises(ParseError, match="title is required"):
        generic.parse(b'{"id": "x", "status": "firing"}')


def test_long_identities_are_hashed_to_fit():
    data = load("generic")
    data["group"] = "g" * 1000
    [alert] = generic.parse(dumps(data))
    assert len(alert.group) == 255
    assert alert.group != generic.parse(dumps({**data, "group": "g" * 999 + "h"}))[0].group
