"""Writes of the Telegram channel other apps call: bot settings, link codes, notifications."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, Team, User
from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.buttons import button
from dutydesk.channels.telegram.models import (
    BotMode,
    TelegramAccount,
    TelegramBot,
    TelegramChat,
    TelegramLinkCode,
    TelegramUpdate,
    UpdateStatus,
)
from dutydesk.core.services import audit_record
from dutydesk.notify.models import Delivery, DeliveryChannel
from dutydesk.notify.services import delivery_queue
from dutydesk.tickets.models import Ticket

# Unambiguous characters only: people type the code from one screen into another.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
TICKET_BUTTONS = {
    "take": lambda: _("Take"),
    "ack": lambda: _("Acknowledge"),
    "resolve": lambda: _("Resolve"),
}
TEXT_LIMIT = 4096  # Telegram's limit for one message


def bot_get() -> TelegramBot | None:
    return TelegramBot.objects.filter(pk=1).first()


def link_code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@transaction.atomic
def telegram_link_code_create(*, user: User) -> str:
    """A one-time code the signed-in user sends to the bot as ``/link <code>``.

    Valid for TELEGRAM_LINK_CODE_MINUTES; earlier unused codes of the user stop working.
    """
    now = timezone.now()
    TelegramLinkCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    TelegramLinkCode.objects.create(
        code_hash=link_code_hash(code),
        user=user,
        expires_at=now + timedelta(minutes=settings.TELEGRAM_LINK_CODE_MINUTES),
    )
    audit_record(actor=user, action="telegram.link_code", obj=user)
    return code


@transaction.atomic
def telegram_unlink(*, user: User, by: User) -> int:
    """Forget the user's Telegram accounts; buttons they press are refused from now on."""
    accounts = list(TelegramAccount.objects.filter(user=user))
    for account in accounts:
        audit_record(actor=by, action="telegram.unlinked", obj=account)
    TelegramAccount.objects.filter(pk__in=[a.pk for a in accounts]).delete()
    return len(accounts)


def telegram_webhook_url(bot: TelegramBot) -> str:
    path = reverse("telegram-webhook", kwargs={"path": bot.webhook_path})
    return f"{settings.BASE_URL}{path}"


def telegram_bot_configure(
    *,
    token: str,
    by: User | None,
    organization: Organization | None = None,
    mode: str = BotMode.POLLING,
) -> TelegramBot:
    """Store the bot's token (encrypted) after asking Telegram who it is; switch the mode.

    Webhook mode registers ``/hooks/telegram/<path>`` with a fresh secret token; polling
    mode removes any webhook (Telegram refuses getUpdates while one is set).
    """
    me = client.get_me(token)  # raises TelegramError for a bad token: nothing is stored
    with transaction.atomic():
        bot = TelegramBot.objects.select_for_update().filter(pk=1).first() or TelegramBot(pk=1)
        # The number before ":" is the bot's id: a new token of the same bot (revoked at
        # @BotFather) keeps its update numbering; another bot starts its own.
        changed_bot = bot.token.split(":")[0] != token.strip().split(":")[0]
        bot.token = token
        bot.username = me.get("username", "")
        bot.organization = organization
        bot.mode = mode
        bot.is_active = True
        if changed_bot:
            bot.update_offset = 0
            TelegramUpdate.objects.exclude(status=UpdateStatus.FAILED).delete()
        if mode == BotMode.WEBHOOK:
            bot.webhook_secret = secrets.token_urlsafe(32)
        bot.save()
        audit_record(actor=by, action="telegram.configured", obj=bot, changes={"mode": ("", mode)})
    if mode == BotMode.WEBHOOK:
        client.set_webhook(token, url=telegram_webhook_url(bot), secret_token=bot.webhook_secret)
    else:
        client.delete_webhook(token)
    return bot


def telegram_say(
    *,
    chat_id: int,
    text: str,
    kind: str = "telegram_message",
    ticket: Ticket | None = None,
    buttons: list[dict] | None = None,
    extra: dict | None = None,
) -> Delivery:
    """Queue a message to a chat through the outbox (sent after the transaction commits).

    ``extra`` goes into the payload: ``edit_message_id`` edits that message instead,
    ``keyboard`` is an inline keyboard already in Telegram's form.
    """
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    return delivery_queue(
        channel=DeliveryChannel.TELEGRAM,
        kind=kind,
        recipient=str(chat_id),
        subject=f"[{ticket.reference}]" if ticket else "",
        body=text,
        ticket=ticket,
        payload={"chat_id": chat_id, "buttons": buttons or [], **(extra or {})},
    )


def ticket_buttons(ticket: Ticket, actions: Iterable[str]) -> list[dict]:
    return [button(f"ticket_{a}", ticket.number, TICKET_BUTTONS[a]()) for a in actions]


def telegram_chat_of(user: User) -> int | None:
    """The private chat of the user's linked Telegram account, if any."""
    return (
        TelegramAccount.objects.filter(user=user, linked=True, chat_id__isnull=False)
        .order_by("-pk")
        .values_list("chat_id", flat=True)
        .first()
    )


def telegram_notify(
    *,
    user: User,
    text: str,
    ticket: Ticket | None = None,
    buttons: Iterable[str] = ("take", "ack", "resolve"),
) -> bool:
    """Queue a notice to the user's linked Telegram chat, with ticket buttons when a ticket
    is given; False when the user has no linked chat (send by email instead)."""
    chat_id = telegram_chat_of(user)
    if chat_id is None or not user.is_active:
        return False
    telegram_say(
        chat_id=chat_id,
        text=text,
        kind="telegram_notice",
        ticket=ticket,
        buttons=ticket_buttons(ticket, buttons) if ticket is not None else [],
    )
    return True


def telegram_notify_team(
    *,
    team: Team,
    text: str,
    ticket: Ticket | None = None,
    buttons: Iterable[str] = ("take", "ack", "resolve"),
) -> bool:
    """Queue a notice to every group subscribed to the team; False when there is none.

    Whoever presses a button acts as their own linked account.
    """
    chat_ids = list(TelegramChat.objects.filter(team=team).values_list("chat_id", flat=True))
    for chat_id in chat_ids:
        telegram_say(
            chat_id=chat_id,
            text=text,
            kind="telegram_notice",
            ticket=ticket,
            buttons=ticket_buttons(ticket, buttons) if ticket is not None else [],
        )
    return bool(chat_ids)
