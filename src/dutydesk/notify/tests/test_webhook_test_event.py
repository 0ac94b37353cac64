"""A test event on request: POST /api/v1/webhooks/{id}/test and the admin action queue one
signed ``webhook.test`` delivery through the outbox, whatever the subscription's events."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from dutydesk.api.tests.client import api_client
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery, DeliveryStatus, WebhookAttempt
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.notify.webhooks import fanout
from dutydesk.notify.webhooks.services import webhook_replay, webhook_update

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks"


@pytest.fixture(autouse=True)
def _forget_empty():
    fanout.subscriptions_changed()


def _test_url(subscription) -> str:
    return f"{BASE}/{subscription.pk}/test"


def test_admin_sends_a_test_event_that_arrives_signed(webhook_admin, subscribe, receiver):
    # Subscribed to one unrelated event only: the test event is sent all the same.
    hook = subscribe(events=["sla.breach"])

    response = api_client(webhook_admin).post(_test_url(hook))

    assert response.status_code == 202, response.json()
    answer = response.json()
    delivery = Delivery.objects.get(pk=answer["id"])
    assert answer["event"] == "webhook.test" and answer["status"] == "pending"
    assert delivery.webhook_id == hook.pk and delivery.ticket_id is None
    assert answer["event_id"] == json.loads(delivery.body)["id"]
    assert AuditLog.objects.filter(action="webhook.tested", object_id=str(hook.pk)).exists()

    assert deliveries_sweep() == 1
    [hit] = receiver.received
    assert hit.valid
    assert hit.headers["x-dutydesk-event"] == "webhook.test"
    assert hit.headers["x-dutydesk-delivery"] == answer["event_id"]
    document = hit.document
    assert set(document) == {"id", "event", "created_at", "data"}
    assert document["event"] == "webhook.test"
    assert document["data"]["test"] is True
    assert document["data"]["subscription"] == {"id": hook.pk, "name": hook.name}
    assert document["data"]["requested_by"] == {
        "email": webhook_admin.email,
        "name": webhook_admin.name,
    }
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.ok and attempt.response_code == 200 and attempt.delivery_id == delivery.pk
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_failed_test_event_is_retried_logged_and_can_be_replayed(
    webhook_admin, subscribe, receiver
):
    hook = subscribe(events=["ticket.created"])
    receiver.status = 500
    answer = api_client(webhook_admin).post(_test_url(hook)).json()
    deliveries_sweep()
    delivery = Delivery.objects.get(pk=answer["id"])
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_error.endswith("HTTP 500")
    assert WebhookAttempt.objects.get().response_code == 500

    receiver.status = 200
    replay = webhook_replay(delivery=delivery, by=webhook_admin)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.CANCELLED)
    deliveries_sweep()
    first, second = receiver.received
    assert second.body == first.body and second.valid
    assert second.headers["x-dutydesk-event"] == "webhook.test"
    assert replay.payload["replay_of"] == delivery.pk


def test_a_paused_subscription_is_refused_with_409_and_nothing_is_queued(
    webhook_admin, subscribe, receiver
):
    hook = subscribe()
    webhook_update(subscription=hook, by=webhook_admin, is_active=False)

    response = api_client(webhook_admin).post(_test_url(hook))

    assert response.status_code == 409
    assert "paused" in response.json()["detail"]
    assert not Delivery.objects.filter(webhook=hook).exists()
    assert not AuditLog.objects.filter(action="webhook.tested").exists()


def test_an_unknown_subscription_is_404(webhook_admin):
    response = api_client(webhook_admin).post(f"{BASE}/999999/test")
    assert response.status_code == 404
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("anna", 403), ("l1_agent", 403), ("supervisor", 403)],
)
def test_only_admins_send_test_events(request, subscribe, caller, status):
    hook = subscribe()
    user = None if caller == "anonymous" else request.getfixturevalue(caller)

    response = api_client(user).post(_test_url(hook))

    assert response.status_code == status
    assert "detail" in response.json()
    assert not Delivery.objects.exists()


def test_the_admin_action_queues_a_test_event_and_names_the_delivery(
    admin_client, subscribe, receiver, webhook_admin
):
    paused = subscribe(name="Old CRM")
    active = subscribe(name="CRM")  # the receiver keeps the last secret: this one's
    webhook_update(subscription=paused, by=webhook_admin, is_active=False)

    response = admin_client.post(
        reverse("admin:notify_webhooksubscription_changelist"),
        {"action": "send_test_event", "_selected_action": [active.pk, paused.pk]},
        follow=True,
    )

    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert delivery.webhook_id == active.pk and delivery.kind == "webhook.test"
    page = response.content.decode()
    assert f"delivery #{delivery.pk}" in page
    link = reverse("admin:notify_delivery_change", args=[delivery.pk])
    assert link in page and admin_client.get(link).status_code == 200
    assert "Old CRM" in page and "paused" in page
    deliveries_sweep()
    [hit] = receiver.received
    assert hit.valid and hit.document["event"] == "webhook.test"
