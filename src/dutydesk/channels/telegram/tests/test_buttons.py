"""Agents' notices with Take / Acknowledge / Resolve buttons, pressed in Telegram."""

from __future__ import annotations

import pytest

from dutydesk.channels.telegram import updates
from dutydesk.channels.telegram.buttons import button, callback_data, keyboard
from dutydesk.channels.telegram.callbacks import CALLBACKS, telegram_callback_register
from dutydesk.channels.telegram.models import TelegramAccount, TelegramBot
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.channels.telegram.services import telegram_link_code_create, telegram_notify
from dutydesk.notify.models import Delivery
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.notify.services import delivery_queue
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Status
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

LENA_TG = 4001
OLEG_TG = 4002


def _link(bot_api, user, telegram_id: int) -> None:
    code = telegram_link_code_create(user=user)
    bot_api.add_message(user_id=telegram_id, text=f"/link {code}")
    telegram_poll()


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


@pytest.fixture
def lena_linked(bot, bot_api, l1_agent):
    _link(bot_api, l1_agent, LENA_TG)
    return l1_agent


def _press(bot_api, user_id: int, data: str) -> str:
    bot_api.calls.clear()
    bot_api.add_callback(user_id=user_id, data=data)
    telegram_poll()
    return bot_api.sent("answerCallbackQuery")[0]["text"]


def test_notice_to_a_linked_agent_carries_signed_ticket_buttons(bot_api, lena_linked, ticket):
    assert telegram_notify(user=lena_linked, text="New P1 for you", ticket=ticket)
    deliveries_sweep()

    sent = bot_api.sent("sendMessage")[-1]
    assert sent["chat_id"] == LENA_TG and sent["text"] == "New P1 for you"
    row = sent["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in row] == ["Take", "Acknowledge", "Resolve"]
    assert row[0]["callback_data"] == callback_data("ticket_take", ticket.number)


def test_an_agent_without_a_linked_chat_is_not_notified(bot, l1_agent, ticket):
    assert telegram_notify(user=l1_agent, text="x", ticket=ticket) is False
    assert not Delivery.objects.filter(channel="telegram").exists()


def test_take_acts_as_the_linked_agent_and_marks_the_notice(bot_api, lena_linked, ticket):
    answer = _press(bot_api, LENA_TG, callback_data("ticket_take", ticket.number))

    ticket.refresh_from_db()
    assert ticket.assignee == lena_linked and ticket.status == Status.OPEN
    assert answer == f"You took {ticket.reference}."
    assert ticket.events.filter(kind="assignee", actor=lena_linked).exists()
    deliveries_sweep()
    edited = bot_api.sent("editMessageText")[0]
    assert edited["message_id"] == 42 and "Lena" in edited["text"]


def test_acknowledge_and_resolve(bot_api, lena_linked, ticket):
    _press(bot_api, LENA_TG, callback_data("ticket_ack", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    answer = _press(bot_api, LENA_TG, callback_data("ticket_resolve", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and "resolved" in answer


def test_an_unlinked_press_is_refused_with_an_explanation(bot, bot_api, ticket):
    answer = _press(bot_api, 9999, callback_data("ticket_take", ticket.number))

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert "not linked" in answer and "/link" in answer


def test_an_agent_may_not_act_on_another_teams_ticket(bot, bot_api, l2_agent, ticket):
    _link(bot_api, l2_agent, OLEG_TG)
    answer = _press(bot_api, OLEG_TG, callback_data("ticket_take", ticket.number))
    ticket.refresh_from_db()
    assert ticket.assignee is None and "Not found" in answer


def test_a_linked_client_cannot_use_agent_buttons(bot, bot_api, anna, ticket):
    _link(bot_api, anna, 4100)
    answer = _press(bot_api, 4100, callback_data("ticket_resolve", ticket.number))
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and "staff" in answer


def test_made_up_callback_data_is_refused(bot_api, lena_linked, ticket):
    answer = _press(bot_api, LENA_TG, f"ticket_take:{ticket.number}:AAAAAAAAAA")
    ticket.refresh_from_db()
    assert ticket.assignee is None and "no longer valid" in answer


def test_the_same_press_delivered_twice_acts_once(bot_api, lena_linked, ticket):
    update = bot_api.add_callback(user_id=LENA_TG, data=callback_data("ticket_take", ticket.number))
    telegram_poll()
    bot_api.add_update({"callback_query": update["callback_query"]}, update_id=update["update_id"])
    TelegramBot.objects.filter(pk=1).update(update_offset=0)
    telegram_poll()
    assert ticket.events.filter(kind="assignee").count() == 1


def test_other_apps_register_actions_for_their_own_buttons(bot_api, lena_linked, monkeypatch):
    pressed = []

    def page_acknowledge(*, user, ref):
        pressed.append((user, ref))
        return "Page acknowledged."

    monkeypatch.setitem(CALLBACKS, "acknowledge", page_acknowledge)
    telegram_callback_register("acknowledge", page_acknowledge)
    # On-call queues its own delivery with a button in the documented payload form.
    chat_id = TelegramAccount.objects.get(telegram_id=LENA_TG).chat_id
    delivery_queue(
        channel="telegram",
        kind="page",
        recipient=str(chat_id),
        subject="",
        body="P1: disk full on srv-1",
        payload={"chat_id": chat_id, "buttons": [button("acknowledge", 77, "Acknowledge")]},
    )
    deliveries_sweep()
    data = bot_api.sent("sendMessage")[-1]["reply_markup"]["inline_keyboard"][0][0]
    assert data["callback_data"] == callback_data("acknowledge", 77)

    answer = _press(bot_api, LENA_TG, data["callback_data"])

    assert pressed == [(lena_linked, "77")] and answer == "Page acknowledged."


def test_plain_callback_data_buttons_are_signed_on_sending():
    rows = keyboard(
        [{"text": "Ack", "callback_data": "acknowledge:12"}, {"text": "Web", "url": "https://x"}]
    )
    assert rows == [
        [
            {"text": "Ack", "callback_data": callback_data("acknowledge", "12")},
            {"text": "Web", "url": "https://x"},
        ]
    ]


GROUP = -100777


def test_a_linked_team_member_subscribes_a_group_to_the_teams_notices(
    bot_api, lena_linked, l1_team, ticket
):
    from dutydesk.channels.telegram.services import telegram_notify_team

    bot_api.add_message(
        user_id=LENA_TG, chat_id=GROUP, chat_type="group", text="/subscribe@dutydesk_bot l1"
    )
    telegram_poll()

    assert telegram_notify_team(team=l1_team, text="New ticket in L1", ticket=ticket)
    deliveries_sweep()
    sent = bot_api.sent("sendMessage")
    assert "First line" in sent[-2]["text"]
    assert sent[-1]["chat_id"] == GROUP and sent[-1]["reply_markup"]["inline_keyboard"]


def test_strangers_and_other_teams_cannot_subscribe_a_group(bot, bot_api, l2_agent, l1_team):
    from dutydesk.channels.telegram.services import telegram_notify_team

    _link(bot_api, l2_agent, OLEG_TG)
    bot_api.add_message(user_id=OLEG_TG, chat_id=GROUP, chat_type="group", text="/subscribe l1")
    bot_api.add_message(user_id=31337, chat_id=GROUP, chat_type="group", text="/subscribe l1")
    telegram_poll()

    assert telegram_notify_team(team=l1_team, text="x") is False


def test_group_chatter_does_not_open_tickets(bot, bot_api):
    from dutydesk.tickets.models import Ticket

    bot_api.add_message(user_id=777, chat_id=GROUP, chat_type="group", text="lunch?")
    telegram_poll()
    assert not Ticket.objects.exists()


def test_a_failing_action_is_answered_and_kept_to_process_again(bot_api, lena_linked, monkeypatch):
    def broken(*, user, ref):
        raise RuntimeError("bug in on-call")

    monkeypatch.setitem(CALLBACKS, "acknowledge", broken)
    answer = _press(bot_api, LENA_TG, callback_data("acknowledge", 5))

    assert "went wrong" in answer
    from dutydesk.channels.telegram.models import TelegramUpdate

    failed = TelegramUpdate.objects.get(kind="callback_query")
    assert failed.status == "failed" and failed.raw["callback_query"]["data"]


def test_a_press_is_answered_only_once_its_group_commits(bot_api, lena_linked, ticket, monkeypatch):
    class Killed(BaseException):
        pass

    bot_api.calls.clear()
    bot_api.add_callback(user_id=LENA_TG, data=callback_data("ticket_take", ticket.number))
    bot_api.add_message(user_id=777, text="dies")  # same group, after the press
    real_ingest = updates.ingest

    def crash(inbound):
        raise Killed

    monkeypatch.setattr(updates, "ingest", crash)
    with pytest.raises(Killed):
        telegram_poll()
    ticket.refresh_from_db()
    assert ticket.assignee is None  # the press's work was rolled back with its group...
    assert bot_api.sent("answerCallbackQuery") == []  # ...so Lena was not told it was done

    monkeypatch.setattr(updates, "ingest", real_ingest)
    telegram_poll()
    ticket.refresh_from_db()
    assert ticket.assignee == lena_linked
    assert [a["text"] for a in bot_api.sent("answerCallbackQuery")] == [
        f"You took {ticket.reference}."
    ]
