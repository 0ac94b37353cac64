"""Identical notifications racing each other (Alertmanager HA): PostgreSQL only."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from dutydesk.channels.alerts.models import Alert, AlertGroup, IntakeLog
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.tickets.models import Message, Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
    ),
]


def race(path: str, bodies: list[str]) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    codes: list[int] = []

    def post(body: str) -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            codes.append(client.post(path, body, content_type="application/json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_notifications_at_once_make_one_alert_and_one_ticket(make_hook):
    hook = make_hook()
    body = json.dumps(load("alertmanager"))
    assert race(hook.path, [body, body]) == [200, 200]
    assert Alert.objects.count() == 1
    assert AlertGroup.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    assert sorted(IntakeLog.objects.values_list("status", flat=True)) == ["accepted", "duplicate"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_alerts_of_one_group_racing_share_one_incident(make_hook):
    hook = make_hook()
    bodies = []
    for n in range(4):
        data = load("alertmanager")
        data["alerts"][0]["fingerprint"] = f"fp{n}"
        bodies.append(json.dumps(data))
    assert race(hook.path, bodies) == [200] * 4
    assert Alert.objects.count() == 4
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ha_copies_racing_a_resolve_count_every_copy_and_end_resolved(make_hook):
    hook = make_hook()
    firing = json.dumps(load("alertmanager"))
    hook.post(firing)
    data = load("alertmanager")
    data["status"] = data["alerts"][0]["status"] = "resolved"
    data["alerts"][0]["endsAt"] = "2030-01-01T00:00:00Z"
    assert race(hook.path, [firing] * 6 + [json.dumps(data)]) == [200] * 7
    alert = Alert.objects.get()
    assert (alert.status, alert.fired_count, alert.notification_count) == ("resolved", 1, 8)
    assert Ticket.objects.get().status == "resolved"
    statuses = sorted(IntakeLog.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "accepted"] + ["duplicate"] * 6
