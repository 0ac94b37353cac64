"""The installation's bot, the chats it talks to, linked accounts and processed updates."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.core.crypto import secret_decrypt, secret_encrypt


class BotMode(models.TextChoices):
    POLLING = "polling", _("Long polling by the worker")
    WEBHOOK = "webhook", _("Webhook")


def _webhook_path() -> str:
    return secrets.token_urlsafe(24)


class TelegramBot(models.Model):
    """The one bot of this installation (row pk=1); the token is stored encrypted."""

    token_encrypted = models.TextField(_("token (encrypted)"), blank=True)
    username = models.CharField(_("bot username"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    mode = models.CharField(
        _("mode"), max_length=10, choices=BotMode.choices, default=BotMode.POLLING
    )
    # Unlinked clients' tickets go here; without it the bot asks them to link an account.
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation of unlinked clients"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    webhook_path = models.CharField(max_length=64, unique=True, default=_webhook_path)
    webhook_secret_encrypted = models.TextField(blank=True)
    # getUpdates offset: the next update id wanted; advanced only after an update commits.
    update_offset = models.BigIntegerField(_("update offset"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bot")

    def __str__(self) -> str:
        return f"@{self.username}" if self.username else str(_("Telegram bot"))

    @property
    def token(self) -> str:
        return secret_decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = secret_encrypt(value.strip())

    @property
    def webhook_secret(self) -> str:
        return secret_decrypt(self.webhook_secret_encrypted)

    @webhook_secret.setter
    def webhook_secret(self, value: str) -> None:
        self.webhook_secret_encrypted = secret_encrypt(value)


class TelegramAccount(models.Model):
    """A Telegram user DutyDesk knows: linked to a portal account, or a generated contact."""

    telegram_id = models.BigIntegerField(_("Telegram user id"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="telegram_accounts",
    )
    # The private chat with the bot (equal to the user id once they wrote to it).
    chat_id = models.BigIntegerField(_("private chat id"), null=True, blank=True)
    username = models.CharField(_("username"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # True when the person proved the account with a one-time code from the portal.
    linked = models.BooleanField(_("linked by code"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Telegram account")
        verbose_name_plural = _("Telegram accounts")

    def __str__(self) -> str:
        return f"{self.name or self.username or self.telegram_id} → {self.user}"


class TelegramChat(models.Model):
    """A chat the bot talks in; ``ticket`` is the open conversation new messages join."""

    chat_id = models.BigIntegerField(_("chat id"), unique=True)
    kind = models.CharField(_("type"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A group that receives the notices of a team (set by "/subscribe <team>" in the group).
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team notified here"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="telegram_chats",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Telegram chat")
        verbose_name_plural = _("Telegram chats")

    def __str__(self) -> str:
        return self.title or str(self.chat_id)


class TelegramTicket(models.Model):
    """Where agent replies to a ticket go: the chat it came from (kept after it moves on)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    chat = models.ForeignKey(TelegramChat, on_delete=models.CASCADE, related_name="tickets")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.chat_id}"


class TelegramLinkCode(models.Model):
    """A one-time code a signed-in user sends as ``/link <code>``; only its hash is kept."""

    code_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class UpdateStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class TelegramUpdate(models.Model):
    """One row per update ever handled, written in the update's transaction: a repeat is a
    no-op whatever the update was (a message, a /link, a button press). Failed updates keep
    their raw JSON and the reason for admins."""

    update_id = models.BigIntegerField(_("update id"), unique=True)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    chat_id = models.BigIntegerField(_("chat id"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=UpdateStatus.choices)
    error = models.TextField(_("error"), blank=True)
    raw = models.JSONField(_("raw update"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-update_id"]
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")

    def __str__(self) -> str:
        return f"{self.update_id} {self.kind} ({self.status})"
