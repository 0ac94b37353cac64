"""Long polling: fetch updates with the stored offset, apply each, then advance the offset."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.models import BotMode, TelegramBot, TelegramUpdate, UpdateStatus
from dutydesk.channels.telegram.services import bot_get
from dutydesk.channels.telegram.updates import (
    UNREAD,
    accounts_read,
    has_file,
    telegram_update_process,
)

log = logging.getLogger(__name__)


def offset_advance(bot: TelegramBot, next_offset: int) -> None:
    """Record that every update before ``next_offset`` is committed (never moves back)."""
    TelegramBot.objects.filter(pk=bot.pk).update(
        update_offset=Greatest(F("update_offset"), next_offset)
    )
    bot.update_offset = max(bot.update_offset, next_offset)


# A poll applies its updates in groups, one transaction each (each update in its own
# savepoint, so one that fails is recorded as failed and the rest commit): on SQLite a
# commit costs about as much as applying a text message. A group ends after this many
# updates or seconds, which bounds how long the write lock (SQLite) or the row locks of
# the group's tickets (PostgreSQL) are held; an update with a file is applied alone, its
# download outside any transaction.
GROUP_UPDATES = 50
GROUP_SECONDS = 0.2


def telegram_poll(*, seconds: float | None = None) -> int:
    """Poll for about ``seconds`` (TELEGRAM_POLL_SECONDS); returns how many updates were new.

    Updates commit (in groups, see GROUP_UPDATES) before the offset moves past them: a
    crash in between makes Telegram send them again, and their update rows make the
    repeats no-ops.
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
        batch = _Batch(bot, updates)
        try:
            handled += batch.apply()
        finally:
            # Once per batch (one write instead of one per update), and also when an
            # update could not be applied: up to the last one that committed.
            if batch.committed is not None:
                offset_advance(bot, batch.committed + 1)
        if time.monotonic() >= deadline or (not updates and long_poll == 0):
            return handled


class _Batch:
    """One ``getUpdates`` answer, applied in groups."""

    def __init__(self, bot: TelegramBot, updates: list[dict]) -> None:
        self.bot = bot
        self.updates = [(int(update["update_id"]), update) for update in updates]
        # Which were applied before (a repeat after a crash): one query.
        self.seen = set(
            TelegramUpdate.objects.filter(
                update_id__in=[update_id for update_id, _u in self.updates]
            ).values_list("update_id", flat=True)
        )
        # The senders' accounts in one query; each is handed to its sender's first update.
        self.accounts = accounts_read(
            {s for _id, u in self.updates if (s := _message_sender(u)) is not None}
        )
        self.committed: int | None = None  # the last update id whose work is committed

    def apply(self) -> int:
        handled, position = 0, 0
        while position < len(self.updates):
            if has_file(self.updates[position][1]):
                handled += self._one(position)
                position += 1
            else:
                started, first = time.monotonic(), position
                later: list[Callable[[], None]] = []
                with transaction.atomic():
                    while (
                        position < len(self.updates)
                        and not has_file(self.updates[position][1])
                        and position - first < GROUP_UPDATES
                        and time.monotonic() - started < GROUP_SECONDS
                    ):
                        handled += self._one(position, later)
                        position += 1
                for acknowledge in later:  # committed: answer the button presses
                    acknowledge()
            self.committed = self.updates[position - 1][0]
        return handled

    def _one(self, position: int, later: list[Callable[[], None]] | None = None) -> int:
        update_id, update = self.updates[position]
        account = self.accounts.pop(_message_sender(update), UNREAD)
        if update_id in self.seen:
            return 0
        status = telegram_update_process(
            bot=self.bot, update=update, unseen=True, account=account, later=later
        )
        return int(status != "duplicate")


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
