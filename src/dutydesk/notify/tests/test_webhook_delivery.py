"""Subscription deliveries reach a real receiver on loopback, signed, logged and retried."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dutydesk.notify.models import Delivery, DeliveryStatus, WebhookAttempt
from dutydesk.notify.sending import deliveries_sweep, delivery_send
from dutydesk.notify.webhooks.services import webhook_replay, webhook_update
from dutydesk.notify.webhooks.signing import signature_verify
from dutydesk.testing.factories import inbound
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


def _ticket(n: int = 1, **fields):
    return ingest(inbound(source_id=f"crm-{n}", subject=f"Printer {n} jammed", **fields)).ticket


def test_a_delivery_is_signed_with_the_subscription_secret_and_carries_the_document(
    subscribe, receiver, anna
):
    subscribe(events=["ticket.created"])
    ticket = _ticket(sender_email=anna.email)

    deliveries_sweep()

    [hit] = receiver.received
    assert hit.valid
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["x-dutydesk-event"] == "ticket.created"
    document = hit.document
    assert hit.headers["x-dutydesk-delivery"] == document["id"]
    assert document["event"] == "ticket.created"
    assert document["data"]["ticket"]["number"] == ticket.number
    assert document["data"]["ticket"]["requester"]["email"] == anna.email
    assert document["data"]["message"]["body_text"]
    # DutyDesk's own check agrees with the receiver's, and a changed byte fails both.
    stamp, sig = hit.headers["x-dutydesk-timestamp"], hit.headers["x-dutydesk-signature"]
    assert signature_verify(receiver.secret, hit.body, stamp, sig)
    assert not signature_verify(receiver.secret, hit.body + b" ", stamp, sig)
    assert not signature_verify("whsec_other", hit.body, stamp, sig)
    assert not signature_verify(receiver.secret, hit.body, stamp, sig, now=int(stamp) + 301)


def test_each_attempt_is_logged_with_code_latency_and_answer(subscribe, receiver, anna):
    subscribe(events=["ticket.created"])
    receiver.status, receiver.answer = 500, b'{"error": "database is down"}'
    _ticket(sender_email=anna.email)
    delivery = Delivery.objects.get(webhook__isnull=False)

    assert delivery_send(delivery.pk) == DeliveryStatus.PENDING

    attempt = WebhookAttempt.objects.get()
    assert (attempt.number, attempt.ok, attempt.response_code) == (1, False, 500)
    assert attempt.error == "HTTP 500"
    assert "database is down" in attempt.response_excerpt
    assert attempt.latency_ms >= 0
    delivery.refresh_from_db()
    assert delivery.last_error.endswith("HTTP 500")


def test_receiver_down_is_retried_with_backoff_then_each_delivered_exactly_once(
    settings, subscribe, receiver, anna
):
    settings.DELIVERY_BACKOFF_SECONDS = 10
    subscribe(events=["ticket.created", "ticket.replied"])
    receiver.stop()  # the CRM is down: connections are refused
    for n in range(5):
        ticket = _ticket(n, sender_email=anna.email)
        ingest(
            inbound(
                source_id=f"crm-{n}-more",
                sender_email=anna.email,
                ticket_number=ticket.number,
                body_text="And the scanner too",
            )
        )
    webhooks = Delivery.objects.filter(webhook__isnull=False)
    assert webhooks.count() == 10  # created + the client's follow-up, per ticket

    start = timezone.now()
    deliveries_sweep()
    assert set(webhooks.values_list("attempts", flat=True)) == {1}
    deliveries_sweep()  # nothing is due before its backoff
    assert WebhookAttempt.objects.count() == 10
    assert all("ConnectError" in a.error for a in WebhookAttempt.objects.all())

    with time_machine.travel(start + timedelta(seconds=11), tick=False):
        deliveries_sweep()  # still down: second attempt, twice the wait
    assert WebhookAttempt.objects.count() == 20
    due = set(webhooks.values_list("next_attempt_at", flat=True))
    assert min(due) >= start + timedelta(seconds=11 + 19)

    receiver.start()  # back, on the same port
    with time_machine.travel(start + timedelta(seconds=11 + 21), tick=False):
        deliveries_sweep()
        deliveries_sweep()
    ids = receiver.delivery_ids()
    assert len(ids) == 10 and len(set(ids)) == 10  # all of them, none twice
    assert all(r.valid for r in receiver.received)
    assert set(webhooks.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert WebhookAttempt.objects.filter(ok=True).count() == 10


def test_replay_sends_the_same_document_with_the_same_event_id(
    subscribe, receiver, anna, webhook_admin
):
    subscribe(events=["ticket.created"])
    _ticket(sender_email=anna.email)
    deliveries_sweep()
    original = Delivery.objects.get(webhook__isnull=False)

    replay = webhook_replay(delivery=original, by=webhook_admin)
    assert replay.pk != original.pk and replay.status == DeliveryStatus.PENDING
    deliveries_sweep()

    first, second = receiver.received
    assert second.body == first.body
    assert second.headers["x-dutydesk-delivery"] == first.headers["x-dutydesk-delivery"]
    assert second.valid
    assert json.loads(replay.body)["id"] == first.document["id"]
    assert replay.payload["replay_of"] == original.pk


def test_a_paused_subscription_sends_nothing_and_its_deliveries_are_cancelled(
    subscribe, receiver, anna, webhook_admin
):
    subscription = subscribe(events=["ticket.created"])
    _ticket(1, sender_email=anna.email)
    webhook_update(subscription=subscription, by=webhook_admin, is_active=False)
    _ticket(2, sender_email=anna.email)  # no delivery is even written now

    deliveries_sweep()
    assert receiver.received == []
    delivery = Delivery.objects.get(webhook__isnull=False)
    assert delivery.status == DeliveryStatus.CANCELLED


def test_a_redirect_is_a_failure_not_followed(subscribe, receiver, anna):
    subscribe(events=["ticket.created"])
    receiver.status = 302
    _ticket(sender_email=anna.email)
    deliveries_sweep()
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code == 302 and not attempt.ok


def test_a_batch_out_of_time_releases_what_it_did_not_try(monkeypatch, subscribe, receiver, anna):
    from dutydesk.notify import sending

    subscribe(events=["ticket.created"])
    _ticket(sender_email=anna.email)
    delivery = Delivery.objects.get(webhook__isnull=False)
    monkeypatch.setattr(sending, "LEASE", timedelta(0))  # no time at all to send

    assert delivery_send(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and delivery.next_attempt_at <= timezone.now()
    assert receiver.received == [] and not WebhookAttempt.objects.exists()

    monkeypatch.undo()
    assert delivery_send(delivery.pk) == DeliveryStatus.SENT
    assert len(receiver.received) == 1


def test_a_subscription_deleted_while_its_delivery_is_sent_leaves_no_error(
    monkeypatch, subscribe, receiver, anna, webhook_admin
):
    from dutydesk.notify.webhooks import transport
    from dutydesk.notify.webhooks.services import webhook_delete

    subscription = subscribe(events=["ticket.created"])
    _ticket(sender_email=anna.email)
    post = transport._post

    def post_then_delete(url, body, headers):
        answer = post(url, body, headers)
        webhook_delete(subscription=subscription, by=webhook_admin)
        return answer

    monkeypatch.setattr(transport, "_post", post_then_delete)
    deliveries_sweep()
    assert len(receiver.received) == 1
    assert not Delivery.objects.filter(webhook__isnull=False).exists()
    assert not WebhookAttempt.objects.exists()
