"""The issue's 3 a.m. scenario end to end through the Telegram Bot API stand-in: the pages
leave by the real Telegram sender, and L2 acknowledges by pressing the button it got."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from dutydesk.channels.telegram.models import TelegramBot
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.channels.telegram.services import telegram_link_code_create
from dutydesk.channels.telegram.tests.standin import BotApiStandIn
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.oncall.models import Page, PageStatus, ShiftReport
from dutydesk.oncall.paging import page_if_urgent
from dutydesk.oncall.shifts import shift_note_set, shift_reports_sweep
from dutydesk.oncall.sweep import pages_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Priority, TicketType
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

OLEG_TG = 2002  # L2's Telegram user id, the same as the chat id of their private chat


@pytest.fixture
def bot_api(settings):
    standin = BotApiStandIn().start()
    settings.TELEGRAM_API_URL = standin.url
    settings.TELEGRAM_LONG_POLL_SECONDS = 0
    settings.TELEGRAM_POLL_SECONDS = 120
    yield standin
    standin.stop()


@pytest.fixture
def bot(bot_api, acme):
    bot = TelegramBot(pk=1, organization=acme, username="dutydesk_bot")
    bot.token = bot_api.token
    bot.save()
    return bot


def page_messages(bot_api) -> list[dict]:
    return [m for m in bot_api.sent("sendMessage") if "Page" in m.get("text", "")]


def ack_button(message: dict) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for row in rows for b in row if b["text"] == "Acknowledge")


def test_3am_p1_escalates_to_l2_who_acknowledges_in_telegram(
    anna, bot, bot_api, l1_policy, night_agent, l2_agent
):
    with time_machine.travel(SATURDAY_3AM - timedelta(hours=1), tick=False):
        code = telegram_link_code_create(user=l2_agent)
        bot_api.add_message(user_id=OLEG_TG, text=f"/link {code}")
        telegram_poll()
        shift_reports_sweep()  # plans the night shift's row
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = ingest(
            inbound(priority=Priority.P1, type=TicketType.INCIDENT, subject="db-1 disk full")
        ).ticket
        page = page_if_urgent(ticket=ticket)
        deliveries_sweep()  # the worker sends the outbox (the test's transaction never commits)
    # The night on-call of L1 got it in Telegram, with buttons.
    assert [m["chat_id"] for m in page_messages(bot_api)] == ["1001"]
    # No answer; the worker restarts and the fast-path task for 03:05 is gone. The sweep
    # of the new worker finds the column due and pages L2.
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=4), tick=False):
        assert pages_sweep() == 0
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=6), tick=False):
        assert pages_sweep() == 1
        deliveries_sweep()
    to_l2 = page_messages(bot_api)[-1]
    assert to_l2["chat_id"] == str(OLEG_TG)
    # L2 presses Acknowledge in Telegram; DutyDesk reads the press from the Bot API.
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=7), tick=False):
        bot_api.add_callback(user_id=OLEG_TG, data=ack_button(to_l2), chat_id=OLEG_TG)
        telegram_poll()
    page = Page.objects.get(pk=page.pk)
    assert page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_by == l2_agent
    ticket.refresh_from_db()
    assert ticket.assignee == l2_agent
    assert "acknowledged" in bot_api.sent("answerCallbackQuery")[-1]["text"]
    sent = len(page_messages(bot_api))
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=40), tick=False):
        assert pages_sweep() == 0  # the escalation stopped
        deliveries_sweep()
    assert len(page_messages(bot_api)) == sent
    assert not Delivery.objects.filter(kind="page", status=DeliveryStatus.PENDING).exists()
    # At 08:00 the night's handover report lists the page and who took it.
    with time_machine.travel(SATURDAY_3AM.replace(hour=7, minute=50), tick=False):
        report = ShiftReport.objects.get(user=night_agent, starts_at__lt=SATURDAY_3AM)
        shift_note_set(report=report, by=night_agent, note="db-1: L2 has it")
    with time_machine.travel(SATURDAY_3AM.replace(hour=8), tick=False):
        shift_reports_sweep()
    report.refresh_from_db()
    assert [t["ticket"] for t in report.handover["opened"]] == [ticket.number]
    (paged,) = report.handover["pages"]
    assert paged["acknowledged_by"] == l2_agent.email and paged["response_seconds"] == 7 * 60


def test_the_registered_buttons_take_what_the_channel_passes(anna, l1_policy, l1_agent):
    """The Telegram channel calls an action with (user, ref) only."""
    from dutydesk.channels.telegram.callbacks import CALLBACKS

    ticket = ingest(inbound(priority=Priority.P1, type=TicketType.INCIDENT)).ticket
    page = page_if_urgent(ticket=ticket)
    assert "acknowledged" in CALLBACKS["page_ack"](user=l1_agent, ref=str(page.pk))
    assert "resolved" in CALLBACKS["page_resolve"](user=l1_agent, ref=str(page.pk))
    assert Page.objects.get(pk=page.pk).status == PageStatus.RESOLVED
