"""Webhook deliveries POST JSON to a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dutydesk.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from dutydesk.notify.sending import delivery_send, register_sender
from dutydesk.notify.services import delivery_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    received: list[dict] = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()


def test_webhook_delivery_posts_its_json_document(receiver):
    url, received, _ = receiver
    delivery = delivery_queue(
        channel=DeliveryChannel.WEBHOOK,
        kind="page",
        recipient=url,
        subject="P1",
        body="",
        payload={"json": {"ticket": 1001, "event": "page"}},
    )
    assert delivery_send(delivery.pk) == DeliveryStatus.SENT
    assert received == [{"ticket": 1001, "event": "page"}]


def test_webhook_error_status_is_retried(receiver):
    url, received, state = receiver
    state["status"] = 503
    delivery = delivery_queue(
        channel=DeliveryChannel.WEBHOOK, kind="page", recipient=url, subject="P1", body="x"
    )
    assert delivery_send(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert "503" in delivery.last_error
    assert received == [{"subject": "P1", "body": "x"}]


def test_a_channel_without_a_sender_is_retried_not_lost(monkeypatch):
    from dutydesk.notify import sending

    monkeypatch.setattr(sending, "SENDERS", dict(sending.SENDERS))
    sending.SENDERS.pop(DeliveryChannel.TELEGRAM, None)
    delivery = delivery_queue(
        channel=DeliveryChannel.TELEGRAM, kind="reply", recipient="42", subject="", body="hi"
    )
    assert delivery_send(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert "no sender" in delivery.last_error

    sent = []
    register_sender(DeliveryChannel.TELEGRAM, sent.append)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    assert delivery_send(delivery.pk) == DeliveryStatus.SENT
    assert [d.pk for d in sent] == [delivery.pk]
