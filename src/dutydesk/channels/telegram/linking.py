"""``/link <code>``: a Telegram account proves it belongs to a DutyDesk user."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Team
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


def subscribe_team(*, slug: str, sender: dict, chat: dict) -> str:
    """``/subscribe <team>`` in a group: the team's notices go to this group from now on.

    Only a linked member of the team, or someone who sees every queue, may do it.
    """
    if chat.get("type") not in ("group", "supergroup"):
        return _("Send /subscribe <team> in the group that should get the team's notices.")
    account = (
        TelegramAccount.objects.select_related("user")
        .filter(telegram_id=sender.get("id"), linked=True, user__is_active=True)
        .first()
    )
    if account is None or not account.user.is_agent:
        return _(
            "Only linked support staff can subscribe a group. Send /link <code> to the bot first."
        )
    user = account.user
    team = Team.objects.filter(slug=slug.strip()).first()
    if team is None or not (user.sees_all_queues or team.members.filter(pk=user.pk).exists()):
        return _("No team %(slug)s of yours was found.") % {"slug": slug}
    group, _created = TelegramChat.objects.update_or_create(
        chat_id=chat["id"],
        defaults={
            "kind": chat.get("type", ""),
            "title": (chat.get("title") or "")[:255],
            "team": team,
        },
    )
    audit_record(actor=user, action="telegram.group_subscribed", obj=group)
    return _("This group now gets the notices of %(team)s.") % {"team": team.name}
