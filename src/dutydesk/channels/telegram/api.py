"""API of the Telegram channel: the bot's settings (admins) and link codes (anyone signed in).

Mount with ``api.add_router("/channels", build_router())``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.channels.telegram import client
from dutydesk.channels.telegram.models import BotMode, TelegramBot
from dutydesk.channels.telegram.services import (
    bot_get,
    telegram_bot_configure,
    telegram_link_code_create,
    telegram_webhook_url,
)


class TelegramBotOut(Schema):
    configured: bool
    username: str = ""
    mode: str = BotMode.POLLING
    is_active: bool = False
    organization: str | None = Field(None, description="Slug: where unlinked clients go.")
    update_offset: int = 0
    webhook_url: str | None = None


class TelegramBotIn(StrictSchema):
    token: Text | None = Field(None, max_length=200, description="Empty: keep the stored one.")
    mode: BotMode = BotMode.POLLING
    organization: Text | None = Field(None, max_length=50)
    is_active: bool = True


class LinkCodeOut(Schema):
    code: str
    expires_at: datetime
    bot: str = Field(description="The bot's @username, to tell the user where to send it.")


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise ApiError(403, _("Only admins can do this."))


def _bot_out(bot: TelegramBot | None) -> TelegramBotOut:
    if bot is None:
        return TelegramBotOut(configured=False)
    return TelegramBotOut(
        configured=bool(bot.token_encrypted),
        username=bot.username,
        mode=bot.mode,
        is_active=bot.is_active,
        organization=bot.organization.slug if bot.organization else None,
        update_offset=bot.update_offset,
        webhook_url=telegram_webhook_url(bot) if bot.mode == BotMode.WEBHOOK else None,
    )


def telegram_bot_detail(request: HttpRequest) -> TelegramBotOut:
    """The bot's settings; the token is never returned."""
    _require_admin(request.auth)
    return _bot_out(bot_get())


def telegram_bot_update(request: HttpRequest, body: TelegramBotIn) -> TelegramBotOut:
    """Set the token (checked with Telegram), mode and organisation of unlinked clients."""
    _require_admin(request.auth)
    current = bot_get()
    token = body.token or (current.token if current else "")
    if not token:
        raise ApiError(422, _("A bot token is required."), {"token": _("required")})
    organization = None
    if body.organization:
        organization = Organization.objects.filter(slug=body.organization).first()
        if organization is None:
            raise ApiError(422, _("Unknown organisation."), {"organization": _("unknown")})
    try:
        bot = telegram_bot_configure(
            token=token, by=request.auth, organization=organization, mode=body.mode
        )
    except client.TelegramError as exc:
        raise ApiError(422, _("Telegram refused the token."), {"token": exc.description}) from None
    except httpx.HTTPError:
        raise ApiError(502, _("Telegram could not be reached; nothing was changed.")) from None
    if not body.is_active:
        TelegramBot.objects.filter(pk=bot.pk).update(is_active=False)
        bot.is_active = False
    return _bot_out(bot)


def telegram_link_code(request: HttpRequest) -> LinkCodeOut:
    """A one-time code for the caller to send to the bot as ``/link <code>``."""
    code = telegram_link_code_create(user=request.auth)
    bot = bot_get()
    return LinkCodeOut(
        code=code,
        expires_at=timezone.now() + timedelta(minutes=settings.TELEGRAM_LINK_CODE_MINUTES),
        bot=f"@{bot.username}" if bot and bot.username else "",
    )


def build_router() -> Router:
    """A fresh router (ninja attaches a router to one API; tests mount their own)."""
    router = Router(tags=["channels"])
    router.get(
        "/telegram",
        response={200: TelegramBotOut, **error_responses(403)},
        url_name="telegram_bot_detail",
    )(telegram_bot_detail)
    router.put(
        "/telegram",
        response={200: TelegramBotOut, **error_responses(403, 422, 502)},
        url_name="telegram_bot_update",
    )(telegram_bot_update)
    router.post(
        "/telegram/link-code",
        response={200: LinkCodeOut, **error_responses()},
        url_name="telegram_link_code",
    )(telegram_link_code)
    return router
