"""Grafana, Zabbix, PagerDuty-compatible tools and the generic JSON, end to end."""

from __future__ import annotations

import pytest

from dutydesk.channels.alerts.models import Alert, IntakeLog
from dutydesk.channels.alerts.tests.payloads import dumps, load
from dutydesk.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def test_grafana_group_opens_one_incident_and_resolves_it(make_hook):
    hook = make_hook("grafana")
    data = load("grafana")
    assert hook.post(data).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2  # both alerts of the group
    assert ticket.priority == "P3"  # no severity label: the default
    for alert in data["alerts"]:
        alert.update(status="resolved", endsAt="2021-10-12T10:30:00+02:00")
    data.update(status="resolved", state="ok")
    assert hook.post(data).json()["status"] == "accepted"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_zabbix_problem_then_recovery(make_hook):
    hook = make_hook("zabbix")
    problem = load("zabbix")
    hook.post(problem)
    ticket = Ticket.objects.get()
    assert ticket.priority == "P2"  # High
    assert ticket.subject == problem["subject"]
    hook.post({**problem, "update": "1", "update_action": "acknowledged"})
    hook.post({**problem, "value": "0", "subject": "Resolved: /data"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    notes = list(ticket.messages.filter(is_internal=True).values_list("body_text", flat=True))
    assert notes[0].startswith("Acknowledged at the source") and len(notes) == 2


def test_zabbix_new_problem_of_a_flapping_trigger_joins_the_incident(make_hook):
    hook = make_hook("zabbix")
    hook.post(load("zabbix"))
    hook.post({**load("zabbix"), "value": "0"})
    hook.post({**load("zabbix"), "event_id": "10460"})
    ticket = Ticket.objects.get()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1


def test_pagerduty_trigger_is_answered_like_pagerduty(make_hook):
    hook = make_hook("pagerduty")
    response = hook.post(load("pagerduty_trigger"))
    assert response.status_code == 202
    assert response.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "samplekeyhere",
    }
    assert Ticket.objects.get().priority == "P4"  # severity info


def test_pagerduty_trigger_without_dedup_key_returns_the_new_key(make_hook):
    hook = make_hook("pagerduty")
    data = load("pagerduty_trigger")
    del data["dedup_key"]
    key = hook.post(data).json()["dedup_key"]
    resolve = {"routing_key": "x", "dedup_key": key, "event_action": "resolve"}
    assert hook.post(resolve).status_code == 202
    assert Ticket.objects.get().status == Status.RESOLVED


def test_pagerduty_invalid_event_is_400_in_pagerduty_words(make_hook):
    hook = make_hook("pagerduty")
    response = hook.post({"routing_key": "x", "event_action": "trigger"})
    assert response.status_code == 400
    assert response.json()["status"] == "invalid event"
    assert response.json()["errors"] == ["payload is required for a trigger event."]


def test_pagerduty_enqueue_path_finds_the_integration_by_routing_key(make_hook, client):
    hook = make_hook("pagerduty")
    data = {**load("pagerduty_trigger"), "routing_key": hook.token}
    response = client.post("/hooks/alerts/pagerduty/v2/enqueue", dumps(data), "application/json")
    assert response.status_code == 202
    assert Ticket.objects.count() == 1
    ack = {"routing_key": hook.token, "dedup_key": "samplekeyhere", "event_action": "acknowledge"}
    assert client.post("/hooks/alerts/pagerduty/v2/enqueue", dumps(ack), "application/json")
    assert Alert.objects.get().acknowledged
    wrong = {**data, "routing_key": "nope"}
    assert (
        client.post("/hooks/alerts/pagerduty/v2/enqueue", dumps(wrong), "application/json")
    ).status_code == 404
    assert client.get("/hooks/alerts/pagerduty/v2/enqueue").status_code == 405


def test_generic_json_fires_and_resolves(make_hook):
    hook = make_hook("generic")
    assert hook.post(load("generic")).status_code == 200
    assert Ticket.objects.get().priority == "P2"  # error
    assert hook.post({"id": "backup-nightly-srv1", "status": "resolved"}).status_code == 200
    assert Ticket.objects.get().status == Status.RESOLVED
    assert IntakeLog.objects.filter(status="accepted").count() == 2
