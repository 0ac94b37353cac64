"""Huey tasks of the Telegram channel: thin wrappers around the services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from dutydesk.channels.telegram.polling import telegram_poll, telegram_updates_prune


@db_periodic_task(crontab(minute="*"))
@lock_task("telegram-poll")  # one poller at a time; the update rows make overlap safe anyway
def poll_telegram() -> int:
    return telegram_poll()


@db_periodic_task(crontab(minute="17", hour="3"))
def prune_telegram_updates() -> int:
    return telegram_updates_prune()
