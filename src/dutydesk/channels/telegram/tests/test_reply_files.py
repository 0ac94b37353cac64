"""Files an agent attaches to a reply on a Telegram ticket reach the client's chat."""

from __future__ import annotations

import pytest

from dutydesk.channels.telegram import outbound
from dutydesk.channels.telegram.polling import telegram_poll
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.sending import deliveries_sweep
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services import ticket_reply

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 the invoice"


@pytest.fixture
def telegram_ticket(bot, bot_api):
    bot_api.add_message(user_id=777, text="Where is my invoice?")
    telegram_poll()
    deliveries_sweep()
    bot_api.calls.clear()
    return Ticket.objects.get()


def test_a_reply_with_a_picture_and_a_pdf_sends_the_text_then_a_photo_and_a_document(
    telegram_ticket, bot_api, l1_agent
):
    ticket_reply(
        ticket=telegram_ticket,
        by=l1_agent,
        body="Here it is, and a screenshot.",
        attachments=(
            InboundAttachment("invoice.pdf", PDF, "application/pdf"),
            InboundAttachment("screen.png", PNG, "image/png"),
        ),
    )
    deliveries_sweep()

    assert [name for name, _params in bot_api.calls] == [
        "sendMessage",
        "sendDocument",
        "sendPhoto",
    ]
    text = bot_api.sent("sendMessage")[0]
    assert text["chat_id"] == 777 and "Here it is" in text["text"]
    assert "open the request in DutyDesk" not in text["text"]
    document = bot_api.sent("sendDocument")[0]
    assert document["chat_id"] == "777"
    assert document["document"]["filename"] == "invoice.pdf"
    assert document["document"]["content"] == PDF
    photo = bot_api.sent("sendPhoto")[0]
    assert photo["photo"]["content"] == PNG and photo["photo"]["content_type"] == "image/png"
    kinds = Delivery.objects.filter(channel="telegram", kind__startswith="agent_reply")
    kinds = kinds.values_list("kind", "status")
    assert sorted(kinds) == [
        ("agent_reply", DeliveryStatus.SENT),
        ("agent_reply_file", DeliveryStatus.SENT),
        ("agent_reply_file", DeliveryStatus.SENT),
    ]
    assert not Delivery.objects.filter(kind="agent_reply", channel="email").exists()


def test_an_upload_the_api_refuses_stays_in_the_outbox_to_retry(telegram_ticket, bot_api, l1_agent):
    bot_api.down_methods = {"sendDocument"}
    ticket_reply(
        ticket=telegram_ticket,
        by=l1_agent,
        body="Attached.",
        attachments=(InboundAttachment("invoice.pdf", PDF, "application/pdf"),),
    )
    deliveries_sweep()

    file_delivery = Delivery.objects.get(kind="agent_reply_file")
    assert file_delivery.status == DeliveryStatus.PENDING and file_delivery.attempts == 1
    assert Delivery.objects.get(kind="agent_reply", channel="telegram").status == "sent"

    bot_api.down_methods = set()
    file_delivery.next_attempt_at = file_delivery.created_at
    file_delivery.save()
    deliveries_sweep()
    assert bot_api.sent("sendDocument")[0]["document"]["content"] == PDF


def test_a_file_too_large_for_telegram_is_named_in_the_text_instead(
    telegram_ticket, bot_api, l1_agent, monkeypatch
):
    monkeypatch.setattr(outbound, "DOCUMENT_MAX_BYTES", 10)
    ticket_reply(
        ticket=telegram_ticket,
        by=l1_agent,
        body="The log is attached.",
        attachments=(InboundAttachment("big.log", b"x" * 11, "text/plain"),),
    )
    deliveries_sweep()

    assert [name for name, _params in bot_api.calls] == ["sendMessage"]
    assert "too large for Telegram" in bot_api.sent("sendMessage")[0]["text"]
