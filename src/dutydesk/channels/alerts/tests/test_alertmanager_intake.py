"""Alertmanager notifications open, thread, resolve and reopen incidents, once each."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dutydesk.channels.alerts.models import Alert, AlertGroup, AlertStatus, IntakeLog, OnResolve
from dutydesk.channels.alerts.services.incidents import AGENT_EMAIL, sender_email
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.notify.models import Delivery
from dutydesk.tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db


def firing(fingerprint: str = "1a30ba71cca2921f", starts: str = "2026-11-30T03:00:00Z", **labels):
    data = load("alertmanager")
    data["alerts"][0].update(fingerprint=fingerprint, startsAt=starts)
    data["alerts"][0]["labels"].update(labels)
    return data


def resolved(fingerprint: str = "1a30ba71cca2921f", starts: str = "2026-11-30T03:00:00Z"):
    data = firing(fingerprint, starts)
    data["status"] = "resolved"
    data["alerts"][0].update(status="resolved", endsAt="2026-11-30T03:40:00Z")
    return data


def test_firing_alert_opens_an_incident_ticket(make_hook, acme):
    hook = make_hook()
    response = hook.post(firing())
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    ticket = Ticket.objects.get()
    assert response.json()["tickets"] == [ticket.number]
    assert ticket.organization == acme
    assert (ticket.type, ticket.channel, ticket.priority) == ("incident", "monitoring", "P1")
    assert ticket.subject.startswith("ProbeFailure: BlackBox Probe Failure")
    assert ticket.requester.email == sender_email(acme)
    body = ticket.messages.get().body_text
    assert "[FIRING]" in body and "severity = critical" in body and "generatorURL" not in body
    alert = Alert.objects.get()
    assert (alert.ticket, alert.status, alert.fired_count) == (ticket, AlertStatus.FIRING, 1)
    assert IntakeLog.objects.get().status == "accepted"


def test_the_system_contact_gets_no_confirmation_mail(make_hook, acme):
    make_hook().post(firing())
    # The requester is the monitoring system's own ".invalid" contact: nothing is queued.
    assert not Delivery.objects.filter(recipient=sender_email(acme)).exists()
    assert Delivery.objects.filter(recipient="l1@support.test").exists()  # the team's queue


def test_a_repeat_is_three_statements_on_postgresql(make_hook, django_assert_num_queries):
    hook = make_hook()
    hook.post(firing())
    # The integration, the alerts, and one statement that counts the repeat and logs it
    # (no BEGIN/COMMIT); on SQLite those two writes are a transaction of their own.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        assert hook.post(firing(), REMOTE_ADDR="192.0.2.7").json()["status"] == "duplicate"
    alert = Alert.objects.get()
    assert alert.notification_count == 2 and alert.last_seen_at > alert.first_seen_at
    log = IntakeLog.objects.latest("id")
    assert (log.status, log.alert_count, log.ticket, log.remote_addr) == (
        "duplicate",
        1,
        None,
        "192.0.2.7",
    )


def test_repeats_and_ha_copies_are_recorded_once_and_change_nothing(make_hook):
    hook = make_hook()
    hook.post(firing())
    for _ in range(3):
        response = hook.post(firing())
        assert response.json()["status"] == "duplicate"
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    alert = Alert.objects.get()
    assert (alert.notification_count, alert.fired_count) == (4, 1)
    assert list(IntakeLog.objects.values_list("status", flat=True).order_by("id")) == [
        "accepted",
        "duplicate",
        "duplicate",
        "duplicate",
    ]


def test_resolved_alert_resolves_the_incident_with_a_note(make_hook):
    hook = make_hook()
    hook.post(firing())
    response = hook.post(resolved())
    assert response.json()["status"] == "accepted"
    ticket = Ticket.objects.get()
    assert ticket.status == Status.RESOLVED
    note = ticket.messages.get(is_internal=True)
    assert note.author.email == AGENT_EMAIL
    assert "It lasted 40 min" in note.body_text
    assert hook.post(resolved()).json()["status"] == "duplicate"


def test_integration_set_to_note_only_leaves_the_incident_open(make_hook):
    hook = make_hook(on_resolve=OnResolve.NOTE)
    hook.post(firing())
    hook.post(resolved())
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW
    assert ticket.messages.filter(is_internal=True).count() == 1


def test_alerts_of_one_group_share_the_incident_until_all_resolve(make_hook):
    hook = make_hook()
    hook.post(firing("aaaa"))
    second = firing("bbbb", instance="https://other.example.org")
    assert hook.post(second).json()["status"] == "accepted"
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    hook.post(resolved("aaaa"))
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED  # bbbb still fires
    hook.post(resolved("bbbb"))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_flapping_alert_reopens_its_incident(make_hook):
    hook = make_hook()
    hook.post(firing())
    hook.post(resolved())
    response = hook.post(firing(starts="2026-11-30T03:45:00Z"))
    assert response.json()["status"] == "accepted"
    ticket = Ticket.objects.get()
    assert ticket.status == Status.OPEN and ticket.reopen_count == 1
    assert Alert.objects.get().fired_count == 2


def test_firing_long_after_resolve_opens_a_new_incident(make_hook):
    hook = make_hook()
    hook.post(firing())
    hook.post(resolved())
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        hook.post(firing(starts="2026-11-30T05:45:00Z"))
    assert Ticket.objects.count() == 2
    old, new = Ticket.objects.order_by("number")
    assert old.status == Status.RESOLVED and new.status == Status.NEW


def test_a_late_firing_copy_of_an_ended_episode_is_stale(make_hook):
    hook = make_hook()
    hook.post(firing())
    hook.post(resolved())
    assert hook.post(firing()).json()["status"] == "duplicate"  # same startsAt: old news
    assert Ticket.objects.get().status == Status.RESOLVED


def test_resolve_seen_before_firing_keeps_late_firing_copies_out(make_hook):
    hook = make_hook()
    assert hook.post(resolved()).json()["status"] == "accepted"
    assert hook.post(firing()).json()["status"] == "duplicate"
    assert not Ticket.objects.exists()


def test_ha_duplicate_storm_interleaved_with_resolves_ends_in_one_resolved_incident(make_hook):
    hook = make_hook()
    statuses = []
    for n in range(50):
        statuses.append(hook.post(firing()).status_code)
        if n % 5 == 4:
            statuses.append(hook.post(resolved()).status_code)
    assert set(statuses) == {200}
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().status == Status.RESOLVED
    alert = Alert.objects.get()
    assert (alert.status, alert.fired_count) == (AlertStatus.RESOLVED, 1)
    assert IntakeLog.objects.filter(status="accepted").count() == 2  # one firing, one resolve


def test_worse_severity_raises_the_incident_priority(make_hook):
    hook = make_hook()
    hook.post(firing("aaaa", severity="warning"))
    assert Ticket.objects.get().priority == "P3"
    hook.post(firing("bbbb", severity="critical"))
    assert Ticket.objects.get().priority == "P1"


def test_custom_severity_map(make_hook):
    hook = make_hook(severity_map={"critical": "P2", "default": "P4"})
    hook.post(firing())
    hook.post(firing("cccc", severity="whatever"))
    assert Ticket.objects.get().priority == "P2"
    assert Alert.objects.get(identity__endswith="cccc").priority == "P4"


def test_team_override_sends_incidents_to_that_team(make_hook, l2_team):
    make_hook(team=l2_team).post(firing())
    assert Ticket.objects.get().team == l2_team


def test_p1_incident_pages_and_p3_does_not(make_hook, pages):
    hook = make_hook()
    hook.post(firing())
    hook.post(firing("dddd", severity="warning"))  # same incident: no second page
    assert len(pages) == 1
    assert pages[0]["ticket"] == Ticket.objects.get()
    assert pages[0]["team"].slug == "l1"
    other = copy.deepcopy(firing("eeee", severity="warning"))
    other["groupKey"] = '{}:{alertname="Other"}'
    hook.post(other)
    assert len(pages) == 1 and Ticket.objects.count() == 2


def test_reopened_p1_incident_pages_again(make_hook, pages):
    hook = make_hook()
    hook.post(firing())
    hook.post(resolved())
    hook.post(firing(starts="2026-11-30T03:45:00Z"))
    assert len(pages) == 2


def test_maintenance_records_the_alert_without_incident_or_page(make_hook, pages, maintenance):
    hook = make_hook()
    maintenance["on"] = True
    assert hook.post(firing()).json()["status"] == "accepted"
    assert hook.post(firing()).json()["status"] == "duplicate"
    assert not Ticket.objects.exists() and pages == []
    assert Alert.objects.get().suppressed
    maintenance["on"] = False
    assert hook.post(firing()).json()["status"] == "accepted"  # still firing after the window
    assert Ticket.objects.count() == 1 and len(pages) == 1
    assert not Alert.objects.get().suppressed


def _group_statements(queries) -> list[str]:
    return [q["sql"].split()[0] for q in queries if "channels_alerts_alertgroup" in q["sql"]]


def test_the_group_is_locked_in_one_statement_new_or_not(make_hook):
    hook = make_hook()
    with CaptureQueriesContext(connection) as new_group:
        hook.post(firing())
    # The upsert (which locks the row), then the incident noted on the group.
    assert _group_statements(new_group.captured_queries) == ["INSERT", "UPDATE"]
    with CaptureQueriesContext(connection) as known_group:
        assert hook.post(firing("another")).json()["status"] == "accepted"
    assert _group_statements(known_group.captured_queries) == ["INSERT"]  # a no-op update
    assert AlertGroup.objects.count() == 1 and Ticket.objects.count() == 1
    group = AlertGroup.objects.get()
    assert group.ticket == Ticket.objects.get() and group.key == firing()["groupKey"]
