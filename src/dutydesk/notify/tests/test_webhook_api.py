"""/api/v1/webhooks: admins only; the secret is shown once; deliveries can be read and replayed."""

from __future__ import annotations

import pytest

from dutydesk.api.tests.client import api_client
from dutydesk.core.crypto import secret_decrypt
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery, DeliveryStatus, WebhookSubscription
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.notify.webhooks import fanout
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks"


@pytest.fixture(autouse=True)
def _forget_empty():
    fanout.subscriptions_changed()


def _new(receiver, **fields):
    return {"name": "CRM", "url": receiver.url, "events": ["ticket.created"], **fields}


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("anna", 403), ("l1_agent", 403), ("supervisor", 403)],
)
def test_only_admins_reach_webhooks(request, caller, status, subscribe):
    hook = subscribe()
    user = None if caller == "anonymous" else request.getfixturevalue(caller)
    client = api_client(user)
    for response in (
        client.get(BASE),
        client.get(f"{BASE}/{hook.pk}"),
        client.get(f"{BASE}/{hook.pk}/deliveries"),
        client.post(f"{BASE}/{hook.pk}/rotate-secret"),
        client.post(f"{BASE}/{hook.pk}/test"),
        client.delete(f"{BASE}/{hook.pk}"),
        client.post(
            BASE,
            {"name": "x", "url": "http://127.0.0.1/x", "events": ["ticket.created"]},
            content_type="application/json",
        ),
        client.post("/api/v1/webhooks/deliveries/1/replay"),
    ):
        assert response.status_code == status, response
        assert "detail" in response.json()
    assert list(WebhookSubscription.objects.values_list("pk", flat=True)) == [hook.pk]


def test_admin_creates_and_the_secret_is_shown_once_and_stored_encrypted(
    webhook_admin, receiver, acme
):
    client = api_client(webhook_admin)
    response = client.post(
        BASE, _new(receiver, organization="acme"), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert body["organization"] == "acme" and body["created_by"] == webhook_admin.email
    stored = WebhookSubscription.objects.get(pk=body["id"])
    assert secret not in stored.secret_encrypted
    assert secret_decrypt(stored.secret_encrypted) == secret
    for again in (client.get(f"{BASE}/{body['id']}"), client.get(BASE)):
        assert secret not in again.content.decode()
    assert AuditLog.objects.filter(action="webhook.created").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://crm.test/hook"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http://"}, "url"),
        ({"events": ["ticket.exploded"]}, "events"),
        ({"organization": "nope"}, "organization"),
    ],
)
def test_bad_input_is_a_422_with_the_field_and_changes_nothing(
    webhook_admin, receiver, change, field
):
    response = api_client(webhook_admin).post(
        BASE, _new(receiver, **change), content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"events": []}, {"name": ""}, {"surprise": 1}, {"events": "ticket.created"}, {"url": None}],
)
def test_schema_errors_are_422(webhook_admin, receiver, body):
    response = api_client(webhook_admin).post(
        BASE, {**_new(receiver), **body}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not WebhookSubscription.objects.exists()


def test_patch_rotate_and_delete(webhook_admin, subscribe, receiver):
    hook = subscribe()
    old_secret = receiver.secret
    client = api_client(webhook_admin)

    response = client.patch(
        f"{BASE}/{hook.pk}",
        {"events": ["ticket.resolved", "sla.breach"], "is_active": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["ticket.resolved", "sla.breach"]
    assert response.json()["is_active"] is False
    bad = client.patch(f"{BASE}/{hook.pk}", {"url": "gopher://x"}, content_type="application/json")
    assert bad.status_code == 422 and "url" in bad.json()["errors"]
    null = client.patch(f"{BASE}/{hook.pk}", {"name": None}, content_type="application/json")
    assert null.status_code == 422

    rotated = client.post(f"{BASE}/{hook.pk}/rotate-secret")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    hook.refresh_from_db()
    assert new_secret != old_secret and secret_decrypt(hook.secret_encrypted) == new_secret

    assert client.delete(f"{BASE}/{hook.pk}").status_code == 204
    assert client.get(f"{BASE}/{hook.pk}").status_code == 404
    assert client.delete(f"{BASE}/{hook.pk}").status_code == 404


def test_list_shows_recent_deliveries_in_a_fixed_number_of_queries(
    webhook_admin, subscribe, receiver, anna, django_assert_max_num_queries
):
    for n in range(3):
        subscribe(name=f"Hook {n}")
    for n in range(7):
        ingest(inbound(source_id=f"api-{n}"))
    client = api_client(webhook_admin)
    with django_assert_max_num_queries(5):  # token, subscriptions, recent deliveries
        response = client.get(BASE)
    assert response.status_code == 200
    hooks = response.json()
    assert len(hooks) == 3
    assert all(len(h["recent_deliveries"]) == 5 for h in hooks)
    recent = hooks[0]["recent_deliveries"][0]
    assert recent["event"] == "ticket.created" and recent["status"] == "pending"
    assert recent["ticket"] and recent["event_id"]


def test_deliveries_show_every_attempt_and_replay_sends_again(
    webhook_admin, subscribe, receiver, anna, django_assert_max_num_queries
):
    hook = subscribe(events=["ticket.created"])
    receiver.status = 503
    ingest(inbound(source_id="api-1"))
    deliveries_sweep()
    client = api_client(webhook_admin)

    with django_assert_max_num_queries(5):
        response = client.get(f"{BASE}/{hook.pk}/deliveries")
    assert response.status_code == 200
    [delivery] = response.json()
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["document"]["event"] == "ticket.created"
    [attempt] = delivery["attempt_log"]
    assert (attempt["number"], attempt["ok"], attempt["response_code"]) == (1, False, 503)
    assert client.get(f"{BASE}/{hook.pk}/deliveries?status=bogus").status_code == 422

    receiver.status = 200
    replay = client.post(f"{BASE}/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 201
    assert replay.json()["replay_of"] == delivery["id"]
    assert replay.json()["event_id"] == delivery["event_id"]
    Delivery.objects.filter(pk=delivery["id"]).update(status=DeliveryStatus.CANCELLED)
    deliveries_sweep()
    assert receiver.received[-1].headers["x-dutydesk-delivery"] == delivery["event_id"]
    assert receiver.received[-1].valid

    email = Delivery.objects.filter(webhook__isnull=True).first()
    assert client.post(f"{BASE}/deliveries/{email.pk}/replay").status_code == 404
    assert client.post(f"{BASE}/deliveries/999999/replay").status_code == 404


def test_the_event_catalogue(webhook_admin):
    response = api_client(webhook_admin).get(f"{BASE}/events")
    names = [e["name"] for e in response.json()]
    assert "ticket.created" in names and "sla.breach" in names and "page.opened" in names
