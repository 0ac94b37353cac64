"""A client writes to the bot: tickets, follow-ups, files, replies back to the chat."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role, User
from dutydesk.channels.telegram.models import TelegramAccount, TelegramUpdate
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.channels.telegram.services import telegram_link_code_create
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.tickets.models import Status, Ticket
from dutydesk.tickets.services import ticket_reply, ticket_update

pytestmark = pytest.mark.django_db


def test_first_message_opens_a_ticket_for_a_new_contact_and_confirms_in_the_chat(bot, bot_api):
    bot_api.add_message(user_id=777, text="Printer on floor 3 is jammed\nPlease help")

    assert telegram_poll() == 1

    ticket = Ticket.objects.get()
    assert ticket.channel == "telegram"
    assert ticket.subject == "Printer on floor 3 is jammed"
    assert ticket.organization == bot.organization
    contact = ticket.requester
    assert contact.email == "tg-777@telegram.invalid"
    assert contact.role == Role.CUSTOMER and contact.name == "Ivan"
    assert TelegramAccount.objects.get(telegram_id=777).user == contact
    # No email to a generated address; the confirmation goes to the chat instead.
    email = Delivery.objects.filter(channel="email", recipient=contact.email)
    assert set(email.values_list("status", flat=True)) <= {DeliveryStatus.CANCELLED}
    deliveries_sweep()
    sent = bot_api.sent("sendMessage")
    assert [m["chat_id"] for m in sent] == [777]
    assert ticket.reference in sent[0]["text"]


def test_follow_ups_thread_into_the_open_ticket_and_a_new_one_opens_after_resolution(
    bot, bot_api, l1_agent
):
    bot_api.add_message(user_id=777, text="VPN is down")
    bot_api.add_message(user_id=777, text="Still down, and mail too")
    telegram_poll()
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2

    ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    bot_api.add_message(user_id=777, text="New problem: the printer")
    telegram_poll()

    assert Ticket.objects.count() == 2
    newest = Ticket.objects.exclude(pk=ticket.pk).get()
    assert newest.subject == "New problem: the printer"
    assert newest.requester == ticket.requester


def test_photos_and_documents_become_attachments(bot, bot_api):
    bot_api.add_file("small", b"tiny", "photos/small.jpg")
    bot_api.add_file("big", b"\xff\xd8\xff\xe0 a photo", "photos/big.jpg")
    bot_api.add_file("doc", b"%PDF-1.4 report", "documents/report.pdf")
    photo = [
        {"file_id": "small", "width": 90, "height": 90, "file_size": 4},
        {"file_id": "big", "width": 800, "height": 600, "file_size": 14},
    ]
    bot_api.add_message(user_id=777, text=None, photo=photo, caption="Error on screen")
    document = {"file_id": "doc", "file_name": "report.pdf", "mime_type": "application/pdf"}
    bot_api.add_message(user_id=777, text=None, document=document)

    telegram_poll()

    ticket = Ticket.objects.get()
    assert ticket.subject == "Error on screen"
    names = sorted(a.filename for a in ticket.attachments.all())
    assert names == ["photo-501.jpg", "report.pdf"]
    photo_file = ticket.attachments.get(filename="photo-501.jpg")
    assert photo_file.file.read() == b"\xff\xd8\xff\xe0 a photo"  # the largest size is kept
    assert [c["file_id"] for c in bot_api.sent("getFile")] == ["big", "doc"]


def test_agent_reply_goes_back_to_the_chat_not_to_email(bot, bot_api, l1_agent):
    bot_api.add_message(user_id=777, text="Need a new laptop")
    telegram_poll()
    ticket = Ticket.objects.get()
    deliveries_sweep()
    bot_api.calls.clear()

    ticket_reply(ticket=ticket, by=l1_agent, body="Ordered, it arrives on Monday.")
    deliveries_sweep()

    sent = bot_api.sent("sendMessage")
    assert len(sent) == 1
    assert sent[0]["chat_id"] == 777
    assert "Ordered, it arrives on Monday." in sent[0]["text"]
    assert not Delivery.objects.filter(kind="agent_reply", channel="email").exists()


def test_a_linked_client_writes_in_their_own_name(bot, bot_api, anna):
    code = telegram_link_code_create(user=anna)
    bot_api.add_message(user_id=900, text=f"/link {code.lower()}")
    bot_api.add_message(user_id=900, text="My mailbox is full")

    telegram_poll()

    ticket = Ticket.objects.get()
    assert ticket.requester == anna
    account = TelegramAccount.objects.get(telegram_id=900)
    assert account.user == anna and account.linked and account.chat_id == 900
    assert not User.objects.filter(email__endswith="@telegram.invalid").exists()
    deliveries_sweep()
    texts = [m["text"] for m in bot_api.sent("sendMessage")]
    assert "anna@acme.test" in texts[0]


def test_a_code_works_once_and_not_after_it_expires(bot, bot_api, anna, time_machine):
    code = telegram_link_code_create(user=anna)
    bot_api.add_message(user_id=900, text=f"/link {code}")
    bot_api.add_message(user_id=901, text=f"/link {code}")
    telegram_poll()
    assert list(TelegramAccount.objects.values_list("telegram_id", flat=True)) == [900]

    later = telegram_link_code_create(user=anna)
    time_machine.move_to("2100-01-01")
    bot_api.add_message(user_id=902, text=f"/link {later}")
    telegram_poll()
    assert not TelegramAccount.objects.filter(telegram_id=902).exists()


def test_without_an_organisation_for_strangers_the_bot_asks_to_link_first(bot, bot_api):
    bot.organization = None
    bot.save()
    bot_api.add_message(user_id=555, text="hello?")

    telegram_poll()

    assert not Ticket.objects.exists()
    assert TelegramUpdate.objects.get().status == "ignored"
    deliveries_sweep()
    assert "/link" in bot_api.sent("sendMessage")[0]["text"]


def test_the_same_update_delivered_twice_creates_one_message(bot, bot_api):
    update = bot_api.add_message(user_id=777, text="Disk full on srv-1")
    bot_api.add_update({"message": update["message"]}, update_id=update["update_id"])

    telegram_poll()
    bot_api.add_update({"message": update["message"]}, update_id=update["update_id"])
    bot.update_offset = 0
    bot.save()
    telegram_poll()

    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 1
    assert TelegramUpdate.objects.count() == 1


def test_an_unsupported_message_is_answered_and_recorded(bot, bot_api):
    bot_api.add_message(user_id=777, text=None, sticker={"file_id": "s1"})
    telegram_poll()
    assert not Ticket.objects.exists()
    assert TelegramUpdate.objects.get().status == "ignored"
