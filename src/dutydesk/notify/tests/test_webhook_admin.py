"""Django admin: add a subscription (secret shown once), read the attempt log, replay."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dutydesk.core.crypto import secret_decrypt
from dutydesk.notify.models import Delivery, WebhookAttempt, WebhookSubscription
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.notify.webhooks import fanout
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db
ADD = "admin:notify_webhooksubscription_add"


@pytest.fixture(autouse=True)
def _forget_empty():
    fanout.subscriptions_changed()


def test_admin_adds_a_subscription_and_sees_the_secret_once(admin_client, receiver):
    assert admin_client.get(reverse(ADD)).status_code == 200
    response = admin_client.post(
        reverse(ADD),
        {"name": "CRM", "url": receiver.url, "events": ["ticket.created"], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    secret = secret_decrypt(subscription.secret_encrypted)
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert subscription.events == ["ticket.created"]
    change = reverse("admin:notify_webhooksubscription_change", args=[subscription.pk])
    assert secret not in admin_client.get(change).content.decode()


def test_a_bad_url_is_a_form_error_next_to_the_field(admin_client):
    response = admin_client.post(
        reverse(ADD), {"name": "CRM", "url": "ftp://crm.test/x", "events": ["ticket.created"]}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    assert not WebhookSubscription.objects.exists()


def test_attempt_log_and_replay_action(admin_client, subscribe, receiver, anna):
    subscribe(events=["ticket.created"])
    receiver.status = 500
    ingest(inbound(source_id="adm-1"))
    deliveries_sweep()
    log = admin_client.get(reverse("admin:notify_webhookattempt_changelist"))
    assert log.status_code == 200 and "500" in log.content.decode()

    receiver.status = 200
    original = Delivery.objects.get(webhook__isnull=False)
    admin_client.post(
        reverse("admin:notify_delivery_changelist"),
        {"action": "replay", "_selected_action": [original.pk]},
    )
    replay = Delivery.objects.filter(webhook__isnull=False).exclude(pk=original.pk).get()
    assert replay.body == original.body and replay.payload["replay_of"] == original.pk
    assert WebhookAttempt.objects.count() == 1
