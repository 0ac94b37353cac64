"""Admin pages: the bot's settings (token write-only), linked accounts, failed updates."""

from __future__ import annotations

from typing import Any

import httpx
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.models import TelegramAccount, TelegramBot, TelegramUpdate
from dutydesk.channels.telegram.services import telegram_bot_configure
from dutydesk.channels.telegram.updates import telegram_update_retry
from dutydesk.core.admin import ReadOnlyAdmin


class TelegramBotForm(forms.ModelForm):
    new_token = forms.CharField(
        label=_("Bot token"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("From @BotFather. Leave empty to keep the stored token."),
    )

    class Meta:
        model = TelegramBot
        fields = ["organization", "mode", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        token = data.get("new_token") or (self.instance.token if self.instance.pk else "")
        if not token:
            raise forms.ValidationError(_("A bot token is required."))
        try:
            client.get_me(token)
        except (client.TelegramError, httpx.HTTPError) as exc:
            raise forms.ValidationError(_("Telegram refused the token: %s") % exc) from None
        data["token"] = token
        return data


@admin.register(TelegramBot)
class TelegramBotAdmin(admin.ModelAdmin):
    form = TelegramBotForm
    list_display = ["__str__", "mode", "organization", "is_active", "update_offset"]
    readonly_fields = ["username", "update_offset", "webhook_path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TelegramBot.objects.exists() and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        bot = telegram_bot_configure(
            token=data["token"], by=request.user, organization=data["organization"], mode=obj.mode
        )
        if not data["is_active"]:
            TelegramBot.objects.filter(pk=bot.pk).update(is_active=False)
        obj.pk = bot.pk


@admin.register(TelegramAccount)
class TelegramAccountAdmin(admin.ModelAdmin):
    list_display = ["telegram_id", "username", "name", "user", "linked", "created_at"]
    list_filter = ["linked"]
    search_fields = ["username", "name", "user__email"]
    readonly_fields = ["telegram_id", "username", "name", "chat_id", "linked", "created_at"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(ReadOnlyAdmin):
    list_display = ["update_id", "kind", "chat_id", "status", "error", "created_at"]
    list_filter = ["status", "kind"]
    actions = ["process_again"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_superuser  # enables the action only

    @admin.action(description=_("Process failed updates again"))
    def process_again(self, request: HttpRequest, queryset: Any) -> None:
        bot = TelegramBot.objects.filter(pk=1).first()
        if bot is None:
            self.message_user(request, _("No bot is configured."), messages.ERROR)
            return
        results = [
            telegram_update_retry(bot=bot, update_id=row.update_id)
            for row in queryset.filter(status="failed")
        ]
        self.message_user(
            request,
            _("%(n)d processed, %(f)d failed again.")
            % {"n": results.count("processed"), "f": results.count("failed")},
        )
