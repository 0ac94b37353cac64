"""Inline button presses: they act in the name of the linked DutyDesk user who pressed them.

Other apps add actions with ``telegram_callback_register(action, fn)``; ``fn(*, user, ref)``
returns the text shown to the presser and may raise ``TicketError`` (its message is shown)
or ``ObjectDoesNotExist``/``Http404`` (shown as "not found").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.buttons import callback_parse
from dutydesk.channels.telegram.models import TelegramAccount, TelegramBot, UpdateStatus
from dutydesk.channels.telegram.services import telegram_say
from dutydesk.tickets import selectors
from dutydesk.tickets.errors import ActionRefused, TicketError
from dutydesk.tickets.models import Status
from dutydesk.tickets.services import ticket_take, ticket_update

if TYPE_CHECKING:
    from dutydesk.channels.telegram.updates import Prepared

log = logging.getLogger(__name__)

Callback = Callable[..., str]
CALLBACKS: dict[str, Callback] = {}


def telegram_callback_register(action: str, fn: Callback) -> None:
    """Make buttons with this action call ``fn(*, user, ref) -> str`` when pressed."""
    CALLBACKS[action] = fn


def _ticket(user: User, ref: str):
    return selectors.ticket_get(user=user, number=int(ref))


def ticket_take_pressed(*, user: User, ref: str) -> str:
    ticket = ticket_take(ticket=_ticket(user, ref), by=user)
    return _("You took %(ref)s.") % {"ref": ticket.reference}


def ticket_ack_pressed(*, user: User, ref: str) -> str:
    ticket = _ticket(user, ref)
    if not user.is_agent:
        raise ActionRefused(_("Only support staff can do this."))
    if ticket.status == Status.NEW:
        ticket = ticket_update(ticket=ticket, by=user, status=Status.OPEN)
    return _("%(ref)s acknowledged.") % {"ref": ticket.reference}


def ticket_resolve_pressed(*, user: User, ref: str) -> str:
    ticket = ticket_update(ticket=_ticket(user, ref), by=user, status=Status.RESOLVED)
    return _("%(ref)s resolved.") % {"ref": ticket.reference}


telegram_callback_register("ticket_take", ticket_take_pressed)
telegram_callback_register("ticket_ack", ticket_ack_pressed)
telegram_callback_register("ticket_resolve", ticket_resolve_pressed)


def not_linked_text() -> str:
    return _(
        "Your Telegram account is not linked to DutyDesk, so this button cannot act for you. "
        "Create a link code in your DutyDesk profile and send it to the bot as /link <code>."
    )


def callback_handle(*, bot: TelegramBot, query: dict, prepared: Prepared) -> str:
    """Run the pressed action (inside the update's transaction); answer the press after commit."""
    sender = query.get("from") or {}
    parsed = callback_parse(str(query.get("data") or ""))
    account = (
        TelegramAccount.objects.select_related("user")
        .filter(telegram_id=sender.get("id"), linked=True, user__is_active=True)
        .first()
    )
    done = failed = False
    if parsed is None:
        text = _("This button is no longer valid.")
    elif account is None:
        text = not_linked_text()
    elif parsed[0] not in CALLBACKS:
        text = _("This button is no longer valid.")
    else:
        action, ref = parsed
        try:
            with transaction.atomic():  # a refused action leaves nothing half-done
                text = CALLBACKS[action](user=account.user, ref=ref)
            done = True
        except TicketError as exc:
            text = exc.message
        except (ObjectDoesNotExist, Http404, ValueError):
            text = _("Not found, or not yours to act on.")
        except Exception:  # a bug in an action: the presser hears of it, admins can retry
            log.exception("telegram button %s failed", action)
            failed = True
            text = _("Something went wrong; nothing was done. Please try again later.")
    token = bot.token
    query_id = str(query.get("id", ""))
    prepared.after_commit.append(
        lambda: client.answer_callback_query(token, callback_query_id=query_id, text=text)
    )
    if done:
        _mark_message(query, account, text)
    if failed:
        return UpdateStatus.FAILED  # kept with its raw JSON, to process again
    return UpdateStatus.PROCESSED if done else UpdateStatus.IGNORED


def _mark_message(query: dict, account: Any, text: str) -> None:
    """Append who did what to the notice itself, so the whole group sees it was handled."""
    message = query.get("message") or {}
    chat_id = (message.get("chat") or {}).get("id")
    if chat_id is None or "message_id" not in message:
        return
    by = account.user.display_name
    original = message.get("text") or ""
    new_text = f"{original}\n\n✓ {text} ({by})".strip()
    markup = message.get("reply_markup") or {}
    extra = {"edit_message_id": message["message_id"], "keyboard": markup.get("inline_keyboard")}
    telegram_say(chat_id=chat_id, text=new_text, kind="telegram_edit", extra=extra)
