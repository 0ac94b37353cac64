"""Huey tasks of the outbox: thin wrappers around ``notify.sending``."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dutydesk.core.services import heartbeat_record
from dutydesk.notify.sending import deliveries_send, deliveries_sweep, delivery_send


@db_task()
def deliver(delivery_id: int) -> str:
    return delivery_send(delivery_id)


@db_task()
def deliver_many(delivery_ids: list[int]) -> int:
    """One event's deliveries to its subscribers: one queue write instead of one each."""
    return sum(status == "sent" for status in deliveries_send(delivery_ids).values())


@db_periodic_task(crontab(minute="*"))
def sweep_deliveries() -> int:
    return deliveries_sweep()


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    heartbeat_record("worker")
