"""``/link <code>``: a Telegram account proves it belongs to a DutyDesk user."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.channels.telegram.models import TelegramAccount, TelegramChat, TelegramLinkCode
from dutydesk.channels.telegram.services import link_code_hash
from dutydesk.core.services import audit_record


def link_with_code(*, code: str, sender: dict, chat: dict) -> str:
    """Link the sender's Telegram account to the code's user; returns the bot's answer.

    Call inside the update's transaction. Tickets the generated contact opened stay theirs;
    the next message opens a ticket in the linked user's name.
    """
    if not code or not sender.get("id"):
        return _("Send /link followed by the code from your DutyDesk profile.")
    now = timezone.now()
    row = (
        TelegramLinkCode.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=link_code_hash(code), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return _("This code is not valid or has expired. Create a new one in DutyDesk.")
    row.used_at = now
    row.save(update_fields=["used_at"])
    private = chat.get("type") == "private"
    name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")]))
    account, _created = TelegramAccount.objects.update_or_create(
        telegram_id=sender["id"],
        defaults={
            "user": row.user,
            "linked": True,
            "username": (sender.get("username") or "")[:64],
            "name": name[:200],
            **({"chat_id": chat["id"]} if private else {}),
        },
    )
    if private:
        TelegramChat.objects.filter(chat_id=chat["id"]).update(ticket=None)
    audit_record(actor=row.user, action="telegram.linked", obj=account)
    return _("Done: this Telegram account is now linked to %(email)s.") % {"email": row.user.email}
