"""Long polling: fetch updates with the stored offset, apply each, then advance the offset."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.models import BotMode, TelegramBot, TelegramUpdate, UpdateStatus
from dutydesk.channels.telegram.services import bot_get
from dutydesk.channels.telegram.updates import UNREAD, accounts_read, telegram_update_process

log = logging.getLogger(__name__)


def offset_advance(bot: TelegramBot, next_offset: int) -> None:
    """Record that every update before ``next_offset`` is committed (never moves back)."""
    TelegramBot.objects.filter(pk=bot.pk).update(
        update_offset=Greatest(F("update_offset"), next_offset)
    )
    bot.update_offset = max(bot.update_offset, next_offset)


def telegram_poll(*, seconds: float | None = None) -> int:
    """Poll for about ``seconds`` (TELEGRAM_POLL_SECONDS); returns how many updates were new.

    Each update commits in its own transaction before the offset moves past it: a crash in
    between makes Telegram send it again, and its update row makes the repeat a no-op.
    """
    bot = bot_get()
    if bot is None or not bot.is_active or bot.mode != BotMode.POLLING or not bot.token:
        return 0
    token = bot.token
    long_poll = settings.TELEGRAM_LONG_POLL_SECONDS
    deadline = time.monotonic() + (settings.TELEGRAM_POLL_SECONDS if seconds is None else seconds)
    handled = 0
    while True:
        updates = client.get_updates(token, offset=bot.update_offset, timeout=long_poll)
        # Which of the batch were applied before (a repeat after a crash): one query.
        ids = [int(update["update_id"]) for update in updates]
        seen = set(
            TelegramUpdate.objects.filter(update_id__in=ids).values_list("update_id", flat=True)
        )
        # The senders' accounts in one query; each is handed to its sender's first update.
        accounts = accounts_read({s for u in updates if (s := _message_sender(u)) is not None})
        committed = None
        try:
            for update_id, update in zip(ids, updates, strict=True):
                account = accounts.pop(_message_sender(update), UNREAD)
                if update_id not in seen and (
                    telegram_update_process(bot=bot, update=update, unseen=True, account=account)
                    != "duplicate"
                ):
                    handled += 1
                committed = update_id
        finally:
            # Once per batch (one write instead of one per update), and also when an
            # update could not be applied: up to the last one that committed.
            if committed is not None:
                offset_advance(bot, committed + 1)
        if time.monotonic() >= deadline or (not updates and long_poll == 0):
            return handled


def _message_sender(update: dict) -> int | None:
    sender = (update.get("message") or {}).get("from") or {}
    return int(sender["id"]) if "id" in sender else None


# Telegram keeps an unconfirmed update for 24 hours; a month of rows is ample for dedup.
UPDATE_ROWS_KEPT = timedelta(days=30)


def telegram_updates_prune() -> int:
    """Forget applied updates older than a month; failed ones stay until an admin acts."""
    deleted, _by_model = (
        TelegramUpdate.objects.filter(created_at__lt=timezone.now() - UPDATE_ROWS_KEPT)
        .exclude(status=UpdateStatus.FAILED)
        .delete()
    )
    return deleted
