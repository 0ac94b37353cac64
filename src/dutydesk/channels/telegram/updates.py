"""Processing one Bot API update exactly once: a client message, a /link, a button press.

Whatever the update is, a ``TelegramUpdate`` row with its id is written in the same
transaction as its effects, so the same update delivered again (a poll repeated after a
crash, a webhook retried) changes nothing. Network work (file downloads) happens before
the transaction; acknowledgements (answerCallbackQuery) after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.callbacks import callback_handle
from dutydesk.channels.telegram.linking import link_with_code, subscribe_team
from dutydesk.channels.telegram.models import (
    TelegramAccount,
    TelegramBot,
    TelegramChat,
    TelegramTicket,
    TelegramUpdate,
    UpdateStatus,
)
from dutydesk.channels.telegram.services import telegram_say
from dutydesk.core.queries import one_or_none
from dutydesk.tickets.errors import InboundRejected, TicketError
from dutydesk.tickets.inbound import Inbound, InboundAttachment
from dutydesk.tickets.services import ingest
from dutydesk.tickets.services.promises import promised_response

log = logging.getLogger(__name__)

CONTACT_DOMAIN = "telegram.invalid"  # RFC 2606: never deliverable, never someone's real mail
FILE_KINDS = ("document", "photo", "voice", "audio", "video", "video_note")
SUBJECT_CHARS = 80


CHAT_FIELDS = ("chat_id", "kind", "title", "ticket", "team", "updated_at")


def contact_email(telegram_id: int) -> str:
    return f"tg-{telegram_id}@{CONTACT_DOMAIN}"


UNREAD = object()  # the sender's account was not read ahead


@dataclass
class Prepared:
    """What was fetched before the transaction: files over the network, and the sender's
    account when a poll read its batch's accounts in one query."""

    attachments: list[InboundAttachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    after_commit: list[Callable[[], object]] = field(default_factory=list)
    account: TelegramAccount | object | None = UNREAD


def accounts_read(telegram_ids: set[int]) -> dict[int, TelegramAccount | None]:
    """The accounts of these senders (None: none yet), in one query, for a batch."""
    found: dict[int, TelegramAccount | None] = dict.fromkeys(telegram_ids)
    for account in TelegramAccount.objects.select_related("user__organization").filter(
        telegram_id__in=telegram_ids
    ):
        found[account.telegram_id] = account
    return found


def _account_of(sender: dict, prepared: Prepared) -> TelegramAccount | None:
    if prepared.account is not UNREAD:
        return prepared.account  # type: ignore[return-value]
    return one_or_none(
        TelegramAccount.objects.select_related("user__organization").filter(
            telegram_id=sender["id"]
        )
    )


def update_kind(update: dict) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _language(sender: dict) -> str:
    code = str(sender.get("language_code") or "")[:2]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def telegram_update_process(
    *,
    bot: TelegramBot,
    update: dict,
    unseen: bool = False,
    account: object = UNREAD,
    later: list[Callable[[], None]] | None = None,
) -> str:
    """Apply one update once; returns its status ("duplicate" when handled before).

    ``unseen``: the caller has just checked that no row has this update id (a poll checks
    its whole batch in one query); the row's unique id still turns a concurrent repeat
    into a no-op. ``account``: the sender's account as the caller read it (a poll reads
    its batch's in one query), for the sender's first update in the batch only: an
    earlier one may have created or linked it. ``later``: the caller commits (a poll's
    group of updates) and then calls what is put here (answers to Telegram); without it
    they are called once the update's own transaction commits.

    Network errors reaching the Bot API propagate (the caller retries later, the offset
    stays); any other failure is recorded as a failed update, kept with its raw JSON.
    """
    update_id = int(update["update_id"])
    if not unseen and TelegramUpdate.objects.filter(update_id=update_id).exists():
        return "duplicate"
    kind = update_kind(update)
    message = update.get("message") or {}
    chat_id = (message.get("chat") or {}).get("id")
    sender = message.get("from") or (update.get("callback_query") or {}).get("from") or {}
    prepared = Prepared(account=account)
    try:
        with translation.override(_language(sender)):
            if kind == "message":
                _download(bot, message, prepared)
            with transaction.atomic():
                status = _apply(bot, update, kind, prepared)
                TelegramUpdate.objects.create(
                    update_id=update_id,
                    kind=kind,
                    chat_id=chat_id,
                    status=status,
                    raw=update if status != UpdateStatus.PROCESSED else {},
                )
    except httpx.HTTPError:
        raise
    except IntegrityError:
        if TelegramUpdate.objects.filter(update_id=update_id).exists():
            return "duplicate"  # a concurrent worker (or webhook retry) committed it first
        return _failed(update_id, kind, chat_id, update, "integrity error")
    except Exception as exc:  # one bad update must not block the ones behind it
        log.exception("telegram update %s failed", update_id)
        return _failed(update_id, kind, chat_id, update, f"{type(exc).__name__}: {exc}")
    if prepared.after_commit:
        acknowledge = partial(acknowledge_update, update_id, prepared.after_commit)
        if later is None:
            acknowledge()
        else:
            later.append(acknowledge)
    return status


def acknowledge_update(update_id: int, actions: list[Callable[[], object]]) -> None:
    """Answer Telegram (a button press's toast) once the update's work is committed."""
    for action in actions:
        try:
            action()
        except (httpx.HTTPError, client.TelegramError) as exc:
            log.warning("telegram acknowledgement of update %s failed: %s", update_id, exc)


def telegram_update_retry(*, bot: TelegramBot, update_id: int) -> str:
    """Apply a failed update again (after the cause was fixed); its old row is replaced."""
    row = TelegramUpdate.objects.get(update_id=update_id, status=UpdateStatus.FAILED)
    raw = row.raw
    row.delete()
    status = telegram_update_process(bot=bot, update=raw)
    return status


def _failed(update_id: int, kind: str, chat_id: int | None, update: dict, error: str) -> str:
    with transaction.atomic():
        TelegramUpdate.objects.get_or_create(
            update_id=update_id,
            defaults={
                "kind": kind,
                "chat_id": chat_id,
                "status": UpdateStatus.FAILED,
                "error": error[:2000],
                "raw": update,
            },
        )
    return UpdateStatus.FAILED


def _apply(bot: TelegramBot, update: dict, kind: str, prepared: Prepared) -> str:
    if kind == "message":
        return _on_message(bot, update["message"], prepared)
    if kind == "callback_query":
        return callback_handle(bot=bot, query=update["callback_query"], prepared=prepared)
    return UpdateStatus.IGNORED


# --- files -----------------------------------------------------------------------------


def has_file(update: dict) -> bool:
    """Whether applying the update downloads a file (over the network, before its
    transaction)."""
    return _file_of(update.get("message") or {}) is not None


def _file_of(message: dict) -> tuple[str, str, str] | None:
    """(file_id, filename, content_type) of the message's file; the largest photo size."""
    for kind in FILE_KINDS:
        item = message.get(kind)
        if not item:
            continue
        if kind == "photo":
            item = max(item, key=lambda size: size.get("file_size") or size.get("width", 0))
            return item["file_id"], f"photo-{message.get('message_id')}.jpg", "image/jpeg"
        name = item.get("file_name") or f"{kind}-{message.get('message_id')}"
        return item["file_id"], name, item.get("mime_type", "")
    return None


def _download(bot: TelegramBot, message: dict, prepared: Prepared) -> None:
    found = _file_of(message)
    if found is None:
        return
    file_id, filename, content_type = found
    try:
        content = client.download_file(
            bot.token, file_id=file_id, max_bytes=settings.ATTACHMENT_MAX_BYTES
        )
    except ValueError:
        prepared.notes.append(_("[The file %(name)s was too large to keep.]") % {"name": filename})
        return
    except client.TelegramError as exc:
        # Telegram no longer has it (or never will): keep the message, say what is missing.
        log.warning("telegram file %s not fetched: %s", file_id, exc)
        prepared.notes.append(_("[The file %(name)s could not be fetched.]") % {"name": filename})
        return
    prepared.attachments.append(InboundAttachment(filename, content, content_type))


# --- client messages --------------------------------------------------------------------


def _on_message(bot: TelegramBot, message: dict, prepared: Prepared) -> str:
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    chat_id = int(chat["id"])
    text = (message.get("text") or message.get("caption") or "").strip()
    if text.startswith("/link"):
        reply = link_with_code(code=text.partition(" ")[2].strip(), sender=sender, chat=chat)
        telegram_say(chat_id=chat_id, text=reply, kind="telegram_link")
        return UpdateStatus.PROCESSED
    if text.startswith("/subscribe"):
        # "/subscribe l1" or "/subscribe@bot l1" in a group
        reply = subscribe_team(slug=text.partition(" ")[2], sender=sender, chat=chat)
        telegram_say(chat_id=chat_id, text=reply, kind="telegram_link")
        return UpdateStatus.PROCESSED
    if chat.get("type") != "private" or not sender or sender.get("is_bot"):
        # Groups are where agents get notices; client conversations are private chats.
        return UpdateStatus.IGNORED
    if text.startswith("/start") or text.startswith("/help"):
        telegram_say(chat_id=chat_id, text=_greeting(), kind="telegram_help")
        return UpdateStatus.PROCESSED
    account = _account_of(sender, prepared)
    if account is not None and account.user.is_agent:
        telegram_say(chat_id=chat_id, text=_agent_hint(account), kind="telegram_help")
        return UpdateStatus.IGNORED
    if account is None and bot.organization is None:
        telegram_say(chat_id=chat_id, text=_link_first(), kind="telegram_help")
        return UpdateStatus.IGNORED
    body = "\n".join(filter(None, [text, *prepared.notes]))
    if not body and not prepared.attachments:
        telegram_say(chat_id=chat_id, text=_unsupported(), kind="telegram_help")
        return UpdateStatus.IGNORED
    return _ingest_message(bot, message, account, body, prepared)


def _ingest_message(
    bot: TelegramBot,
    message: dict,
    account: TelegramAccount | None,
    body: str,
    prepared: Prepared,
) -> str:
    sender = message["from"]
    chat_id = int(message["chat"]["id"])
    name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")]))
    email = account.user.email if account else contact_email(int(sender["id"]))
    chat_row, _created = (
        TelegramChat.objects.select_related("ticket")
        # Of the chat's ticket only what decides whether the message follows it up.
        .only(*CHAT_FIELDS, "ticket__number", "ticket__status", "ticket__requester")
        .select_for_update(of=("self",))
        .get_or_create(chat_id=chat_id, defaults={"kind": "private", "title": name[:255]})
    )
    linked_before = chat_row.ticket_id
    current = chat_row.ticket
    follow = (
        current is not None
        and current.is_active
        and (account is None or current.requester_id == account.user_id)
    )
    subject = "" if follow else _subject(body, prepared)
    inbound = Inbound(
        channel="telegram",
        source_id=f"{chat_id}:{message['message_id']}",
        sender_email=email,
        sender_name=name or sender.get("username", ""),
        subject=subject,
        body_text=body,
        organization=None if account else bot.organization,
        sender=account.user if account else None,
        ticket_number=current.number if follow and current is not None else None,
        attachments=tuple(prepared.attachments),
        extra={"telegram_user": sender.get("id"), "telegram_chat": chat_id},
    )
    try:
        result = ingest(inbound)
    except InboundRejected as exc:
        telegram_say(chat_id=chat_id, text=_rejected(exc), kind="telegram_help")
        return UpdateStatus.IGNORED
    if result.duplicate:
        return UpdateStatus.PROCESSED
    ticket = result.ticket
    if account is None:
        account, _made = TelegramAccount.objects.get_or_create(
            telegram_id=sender["id"],
            defaults={"user": ticket.requester, "chat_id": chat_id, **_profile(sender)},
        )
    _account_refresh(account, sender, chat_id)
    if linked_before != ticket.pk:
        chat_row.ticket = ticket
        chat_row.save(update_fields=["ticket", "updated_at"])
        # A chat's ticket is linked back to it when it first becomes the chat's ticket.
        if result.created:
            TelegramTicket.objects.create(ticket=ticket, chat=chat_row)
        else:
            TelegramTicket.objects.get_or_create(ticket=ticket, defaults={"chat": chat_row})
    if result.created:
        _confirm(ticket, chat_id)
    return UpdateStatus.PROCESSED


def _profile(sender: dict) -> dict[str, str]:
    """The account's copy of the sender's Telegram profile."""
    return {
        "name": " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")]))[:200],
        "username": (sender.get("username") or "")[:64],
    }


def _account_refresh(account: TelegramAccount, sender: dict, chat_id: int) -> None:
    fresh = {"chat_id": chat_id, **_profile(sender)}
    if any(getattr(account, field) != value for field, value in fresh.items()):
        for field, value in fresh.items():
            setattr(account, field, value)
        account.save(update_fields=list(fresh))


def _confirm(ticket, chat_id: int) -> None:
    """Confirm in the chat (a contact made from a Telegram profile gets no email: its
    address is in a reserved domain that notices skip)."""
    text = _("Your request is registered as %(ref)s. We will answer within %(promise)s.") % {
        "ref": ticket.reference,
        "promise": promised_response(ticket),
    }
    telegram_say(chat_id=chat_id, text=text, kind="ticket_confirmation", ticket=ticket)


def _subject(body: str, prepared: Prepared) -> str:
    first_line = body.strip().splitlines()[0] if body.strip() else ""
    if not first_line:
        return _("Photo or file from Telegram") if prepared.attachments else _("Telegram message")
    if len(first_line) > SUBJECT_CHARS:
        first_line = first_line[: SUBJECT_CHARS - 1].rstrip() + "…"
    return first_line


def _greeting() -> str:
    return _(
        "Hello! Write your question here and we will open a request and answer in this chat. "
        "If you have a DutyDesk account, send /link <code> with the code from your profile."
    )


def _link_first() -> str:
    return _(
        "This bot answers registered clients only. Sign in to DutyDesk, create a Telegram "
        "link code in your profile and send it here as /link <code>."
    )


def _agent_hint(account: TelegramAccount) -> str:
    return _("You are linked as %(user)s. Notifications come here; answer clients in DutyDesk.") % {
        "user": account.user.email
    }


def _unsupported() -> str:
    return _("Please send text, a photo or a file; this kind of message cannot be accepted.")


def _rejected(exc: TicketError) -> str:
    return _("Your message could not be accepted: %(reason)s") % {"reason": exc.message}
