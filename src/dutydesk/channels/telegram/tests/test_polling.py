"""Long polling: the offset moves only past committed updates; crashes lose and double nothing."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dutydesk.channels.telegram import polling, updates
from dutydesk.channels.telegram.models import TelegramBot, TelegramUpdate
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for the process dying: no ``except Exception`` catches it."""


def _offset() -> int:
    return TelegramBot.objects.get(pk=1).update_offset


def test_offset_advances_past_each_committed_update(bot, bot_api):
    first = bot_api.add_message(user_id=777, text="one")
    second = bot_api.add_message(user_id=777, text="two")

    assert telegram_poll() == 2

    assert _offset() == second["update_id"] + 1 > first["update_id"]
    assert bot_api.sent("getUpdates")[0]["offset"] == 0
    assert bot_api.sent("getUpdates")[-1]["offset"] == _offset()


def test_a_crash_after_commit_before_the_offset_moved_creates_no_duplicate(
    bot, bot_api, monkeypatch
):
    update = bot_api.add_message(user_id=777, text="Server room is hot")
    real_advance = polling.offset_advance

    def crash(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(polling, "offset_advance", crash)
    with pytest.raises(Killed):
        telegram_poll()
    assert Message.objects.count() == 1 and _offset() == 0

    monkeypatch.setattr(polling, "offset_advance", real_advance)
    assert telegram_poll() == 0  # Telegram sends it again; it is known

    assert Message.objects.count() == 1
    assert _offset() == update["update_id"] + 1


def test_a_crash_before_commit_leaves_the_update_to_be_fetched_again(bot, bot_api, monkeypatch):
    bot_api.add_message(user_id=777, text="Printer jam")
    real_ingest = updates.ingest

    def crash(inbound):
        real_ingest(inbound)  # everything written, then the process dies before COMMIT
        raise Killed

    monkeypatch.setattr(updates, "ingest", crash)
    with pytest.raises(Killed):
        telegram_poll()
    assert not Ticket.objects.exists() and not TelegramUpdate.objects.exists()

    monkeypatch.setattr(updates, "ingest", real_ingest)
    assert telegram_poll() == 1
    assert Message.objects.count() == 1


def test_an_unreachable_bot_api_stops_the_batch_without_moving_the_offset(bot, bot_api):
    bot_api.add_file("doc", b"report", "documents/r.txt")
    bot_api.add_message(user_id=777, text=None, document={"file_id": "doc", "file_name": "r.txt"})
    bot_api.down_methods = {"getFile"}
    with pytest.raises(httpx.HTTPError):
        telegram_poll()
    assert _offset() == 0 and not Ticket.objects.exists()
    bot_api.down_methods = set()

    assert telegram_poll() == 1
    assert Ticket.objects.get().attachments.get().filename == "r.txt"


def test_a_file_telegram_no_longer_has_is_noted_and_the_message_kept(bot, bot_api):
    bot_api.failing["getFile"] = "Bad Request: file is too big"
    bot_api.add_message(user_id=777, text=None, caption="log", document={"file_id": "gone"})
    telegram_poll()
    message = Message.objects.get()
    assert "log" in message.body_text and "could not be fetched" in message.body_text


def test_an_update_that_fails_is_kept_for_admins_and_does_not_block_the_next(
    bot, bot_api, monkeypatch
):
    bad = bot_api.add_message(user_id=777, text="boom")
    bot_api.add_message(user_id=778, text="fine")
    real_ingest = updates.ingest

    def flaky(inbound):
        if inbound.body_text == "boom":
            raise RuntimeError("bug")
        return real_ingest(inbound)

    monkeypatch.setattr(updates, "ingest", flaky)
    assert telegram_poll() == 2

    failed = TelegramUpdate.objects.get(update_id=bad["update_id"])
    assert failed.status == "failed" and "bug" in failed.error
    assert failed.raw["message"]["text"] == "boom"
    assert Ticket.objects.get().subject == "fine"


def test_polling_does_nothing_without_an_active_bot_in_polling_mode(bot, bot_api):
    bot.mode = "webhook"
    bot.save()
    bot_api.add_message(user_id=777, text="hi")
    assert telegram_poll() == 0
    assert bot_api.calls == []


def test_a_failed_update_can_be_processed_again_once_fixed(bot, bot_api, monkeypatch):
    from dutydesk.channels.telegram.updates import telegram_update_retry

    update = bot_api.add_message(user_id=777, text="boom")
    real_ingest = updates.ingest
    monkeypatch.setattr(updates, "ingest", lambda inbound: 1 / 0)
    telegram_poll()
    monkeypatch.setattr(updates, "ingest", real_ingest)

    assert telegram_update_retry(bot=bot, update_id=update["update_id"]) == "processed"
    assert Ticket.objects.get().subject == "boom"
    assert TelegramUpdate.objects.get().status == "processed"


def test_old_applied_updates_are_forgotten_and_failed_ones_kept(bot, bot_api, time_machine):
    from dutydesk.channels.telegram.polling import telegram_updates_prune

    time_machine.move_to("2026-01-01 12:00Z")
    bot_api.add_message(user_id=777, text="old")
    telegram_poll()
    TelegramUpdate.objects.create(update_id=1, status="failed", error="x")
    time_machine.move_to("2026-02-15 12:00Z")
    bot_api.add_message(user_id=777, text="new")
    telegram_poll()

    assert telegram_updates_prune() == 1
    assert sorted(TelegramUpdate.objects.values_list("status", flat=True)) == [
        "failed",
        "processed",
    ]


def test_a_batch_reads_its_senders_accounts_in_one_query(bot, bot_api):
    for user_id in (801, 802, 803):
        bot_api.add_message(user_id=user_id, text=f"first from {user_id}")
    telegram_poll()  # three contacts and their accounts
    for user_id in (801, 802, 803):
        bot_api.add_message(user_id=user_id, text=f"again from {user_id}")
    bot_api.add_message(user_id=801, text="and once more")  # a second in the batch: re-read

    with CaptureQueriesContext(connection) as queries:
        assert telegram_poll() == 4

    account_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "channels_telegram_telegramaccount"' in q["sql"]
    ]
    assert len(account_reads) == 2
    assert Ticket.objects.count() == 3
    assert [t.messages.count() for t in Ticket.objects.order_by("pk")] == [3, 2, 2]


def test_a_crash_inside_a_group_loses_only_that_group_and_nothing_twice(bot, bot_api, monkeypatch):
    monkeypatch.setattr(polling, "GROUP_UPDATES", 2)
    sent = [bot_api.add_message(user_id=700 + n, text=f"message {n}") for n in range(5)]
    real_ingest = updates.ingest

    def crash_on_the_fourth(inbound):
        result = real_ingest(inbound)
        if inbound.body_text == "message 3":
            raise Killed  # the second group dies before its commit
        return result

    monkeypatch.setattr(updates, "ingest", crash_on_the_fourth)
    with pytest.raises(Killed):
        telegram_poll()
    # The first group (messages 0 and 1) committed and the offset moved past it; the
    # second (2 and 3) left nothing behind.
    assert sorted(Message.objects.values_list("body_text", flat=True)) == [
        "message 0",
        "message 1",
    ]
    assert _offset() == sent[1]["update_id"] + 1

    monkeypatch.setattr(updates, "ingest", real_ingest)
    assert telegram_poll() == 3
    assert Message.objects.count() == 5 and TelegramUpdate.objects.count() == 5


def test_a_file_is_fetched_outside_the_group_before_it(bot, bot_api, monkeypatch):
    first = bot_api.add_message(user_id=777, text="before the file")
    bot_api.add_file("doc", b"report", "documents/r.txt")
    bot_api.add_message(user_id=778, text=None, document={"file_id": "doc", "file_name": "r.txt"})
    bot_api.add_message(user_id=779, text="after the file")
    bot_api.down_methods = {"getFile"}

    with pytest.raises(httpx.HTTPError):
        telegram_poll()
    # The text before the file committed in its own group; the file waits, and so does
    # everything behind it.
    assert list(Message.objects.values_list("body_text", flat=True)) == ["before the file"]
    assert _offset() == first["update_id"] + 1

    bot_api.down_methods = set()
    assert telegram_poll() == 2
    assert Message.objects.count() == 3
