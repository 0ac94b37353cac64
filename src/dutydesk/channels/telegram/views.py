"""Webhook mode: Telegram POSTs each update; 200 only after it is committed."""

from __future__ import annotations

import hmac
import json
import logging

import httpx
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from dutydesk.channels.telegram.models import BotMode, TelegramBot
from dutydesk.channels.telegram.updates import telegram_update_process
from dutydesk.core.machine import machine_endpoint

log = logging.getLogger(__name__)


@machine_endpoint
@require_POST
def webhook(request: HttpRequest, path: str) -> JsonResponse:
    bot = TelegramBot.objects.filter(
        webhook_path=path, is_active=True, mode=BotMode.WEBHOOK
    ).first()
    if bot is None:
        return JsonResponse({"detail": "Not found."}, status=404)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    secret = bot.webhook_secret
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"detail": "Bad secret token."}, status=403)
    try:
        update = json.loads(request.body)
        int(update["update_id"])
    except (ValueError, TypeError, KeyError):
        return JsonResponse({"detail": "Not a Telegram update."}, status=400)
    try:
        status = telegram_update_process(bot=bot, update=update)
    except httpx.HTTPError as exc:
        # The Bot API (file download) is unreachable: Telegram retries a non-2xx later.
        log.warning("telegram webhook update %s deferred: %s", update["update_id"], exc)
        return JsonResponse({"detail": "Try again later."}, status=503)
    return JsonResponse({"ok": True, "status": status})
