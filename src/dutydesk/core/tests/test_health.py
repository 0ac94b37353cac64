from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from dutydesk.core.models import WorkerHeartbeat
from dutydesk.notify.services import delivery_queue
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_worker_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker_heartbeat_age_seconds": None,
    }

    WorkerHeartbeat.objects.create(name="worker", beat_at=timezone.now())
    age = client.get("/healthz").json()["worker_heartbeat_age_seconds"]
    assert 0 <= age < 5


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("dutydesk.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_metrics_exposes_tickets_deliveries_and_heartbeat(client, acme, anna):
    ingest(inbound(organization=acme, priority="P1"))
    delivery_queue(kind="t", recipient="x@acme.test", subject="s", body="b")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'dutydesk_tickets{status="new",priority="P1"} 1' in text
    assert 'dutydesk_tickets{status="open",priority="P4"} 0' in text
    assert 'dutydesk_deliveries{status="pending"} 3' in text
    assert 'dutydesk_deliveries{status="failed"} 0' in text
    assert "dutydesk_delivery_oldest_pending_age_seconds " in text
    assert "dutydesk_worker_heartbeat_age_seconds -1" in text
