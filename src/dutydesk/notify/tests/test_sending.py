from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.sending import backoff, deliveries_sweep, delivery_send
from dutydesk.notify.services import delivery_queue

pytestmark = pytest.mark.django_db


def _queue(**fields) -> Delivery:
    defaults = {"kind": "test", "recipient": "anna@acme.test", "subject": "Hi", "body": "Hello"}
    return delivery_queue(**{**defaults, **fields})


def test_delivery_is_sent_over_smtp(smtp_server):
    delivery = _queue(subject="[#1001] VPN", headers={"X-DutyDesk-Ticket": "1001"})

    assert delivery_send(delivery.pk) == DeliveryStatus.SENT

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1 and delivery.sent_at is not None
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["anna@acme.test"]
    assert b"Subject: [#1001] VPN" in envelope.content
    assert b"X-DutyDesk-Ticket: 1001" in envelope.content


def test_refused_delivery_is_retried_with_backoff_and_sent_once_the_server_accepts(smtp_server):
    delivery = _queue()
    smtp_server.refuse = True

    assert delivery_send(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + backoff(1) - timedelta(seconds=5)
    # Not due yet: a second worker (or the sweep) leaves it alone.
    assert delivery_send(delivery.pk) == "skipped"

    with time_machine.travel(timezone.now() + backoff(1) + timedelta(seconds=1)):
        assert delivery_send(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 2

    smtp_server.refuse = False
    with time_machine.travel(timezone.now() + backoff(2) + backoff(1) + timedelta(seconds=2)):
        assert deliveries_sweep() == 1
        assert deliveries_sweep() == 0  # nothing is sent twice

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(smtp_server.envelopes) == 1


def test_delivery_gives_up_after_the_attempt_limit(smtp_server, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    smtp_server.refuse = True
    delivery = _queue()

    delivery_send(delivery.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert delivery_send(delivery.pk) == DeliveryStatus.FAILED

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert deliveries_sweep() == 0


def test_sweep_sends_a_delivery_whose_queue_task_was_lost(smtp_server):
    # Written without the on-commit enqueue firing: as if the worker's queue lost it.
    delivery = _queue()
    assert delivery.status == DeliveryStatus.PENDING

    assert deliveries_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(smtp_server.envelopes) == 1


def test_a_worker_that_died_mid_send_leaves_the_delivery_due_after_its_lease(smtp_server):
    delivery = _queue()
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )  # the claim a dead worker made

    assert deliveries_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert deliveries_sweep() == 1
    assert len(smtp_server.envelopes) == 1


def test_queued_delivery_is_handed_to_the_worker_after_commit(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = _queue()
        assert smtp_server.envelopes == []  # nothing leaves before commit
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_backoff_grows_exponentially_and_is_capped(settings):
    settings.DELIVERY_BACKOFF_SECONDS = 30
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30) == timedelta(hours=1)
