"""Outbound Telegram: the outbox sender and the reply transport for Telegram tickets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.buttons import keyboard
from dutydesk.channels.telegram.models import TelegramTicket
from dutydesk.channels.telegram.services import TEXT_LIMIT, bot_get, telegram_say
from dutydesk.notify.models import Delivery
from dutydesk.tickets.models import Attachment, Message, Ticket

DOCUMENT_MAX_BYTES = 50 * 1024 * 1024  # the Bot API's upload limit for sendDocument


def telegram_send(delivery: Delivery) -> None:
    """Send one outbox delivery with channel "telegram"; raising makes the outbox retry.

    ``payload``: ``chat_id`` (else the recipient), ``buttons`` (see ``buttons.keyboard``),
    optional ``edit_message_id`` and ``keyboard`` (inline keyboard in Telegram's form);
    with ``attachment_id`` it uploads that ticket file, the body being its caption.
    """
    bot = bot_get()
    token = bot.token if bot is not None and bot.is_active else ""
    if not token:
        raise RuntimeError("no active Telegram bot is configured")
    payload = delivery.payload or {}
    chat_id = payload.get("chat_id") or delivery.recipient
    if payload.get("attachment_id"):
        _send_attachment(token, chat_id, int(payload["attachment_id"]), delivery.body)
        return
    rows = payload.get("keyboard") or keyboard(payload.get("buttons"))
    text = delivery.body[:TEXT_LIMIT] or delivery.subject or "…"
    if payload.get("edit_message_id"):
        client.edit_message_text(
            token,
            chat_id=chat_id,
            message_id=int(payload["edit_message_id"]),
            text=text,
            keyboard=rows,
        )
    else:
        client.send_message(token, chat_id=chat_id, text=text, keyboard=rows)


def telegram_reply_transport(ticket: Ticket, message: Message) -> bool:
    """An agent's public reply to a Telegram ticket goes back to its chat; False: use email."""
    link = TelegramTicket.objects.select_related("chat").filter(ticket=ticket).first()
    if link is None:
        return False
    author = message.author.display_name if message.author else _("Support")
    text = f"{ticket.reference} · {author}:\n{message.body_text}"
    files = list(message.attachments.order_by("pk"))
    too_large = [f for f in files if f.size > DOCUMENT_MAX_BYTES]
    if too_large:
        text += "\n\n" + _(
            "(%(n)d file(s) too large for Telegram — open the request in DutyDesk to see them.)"
        ) % {"n": len(too_large)}
    chat_id = link.chat.chat_id
    telegram_say(chat_id=chat_id, text=text, kind="agent_reply", ticket=ticket)
    for attachment in files:
        if attachment.size <= DOCUMENT_MAX_BYTES:
            # One delivery per file: each is retried on its own, after the text.
            telegram_say(
                chat_id=chat_id,
                text=attachment.filename,
                kind="agent_reply_file",
                ticket=ticket,
                extra={"attachment_id": attachment.pk},
            )
    return True


def _send_attachment(token: str, chat_id: int | str, attachment_id: int, caption: str) -> None:
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return  # the ticket (and its files) was deleted after the reply was queued
    with attachment.file.open("rb") as handle:
        content = handle.read()
    client.send_file(
        token,
        chat_id=chat_id,
        filename=attachment.filename,
        content=content,
        content_type=attachment.content_type,
        caption=caption,
    )
