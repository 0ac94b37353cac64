"""All calls to the Telegram Bot API go through here (tests point the base URL at a stand-in).

Plain httpx rather than python-telegram-bot's ``Bot``: DutyDesk's worker and web views are
synchronous, and PTB 22 is asyncio-only (each call would need its own event loop, and its
HTTP pool is bound to one). A few methods over one keep-alive client are a thin wrapper.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from django.conf import settings


class TelegramError(Exception):
    """The Bot API answered ``ok: false`` (bad token, chat not found, message too old...)."""

    def __init__(self, method: str, description: str, code: int | None = None) -> None:
        super().__init__(f"{method}: {description}")
        self.description = description
        self.code = code


_local = threading.local()


def _http() -> httpx.Client:
    # One keep-alive client per thread: Huey runs thread workers.
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(timeout=settings.TELEGRAM_TIMEOUT)
    return client


def api_call(token: str, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
    """Call one Bot API method; its ``result``, or TelegramError; network errors propagate."""
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/{method}"
    return _result(method, _http().post(url, json=params or {}, **kw))


def _result(method: str, response: httpx.Response) -> Any:
    if response.status_code >= 500 or response.status_code == 429:
        response.raise_for_status()  # a passing outage or flood control: retry later
    try:
        data = response.json()
    except ValueError:
        raise TelegramError(method, f"HTTP {response.status_code}", response.status_code) from None
    if not data.get("ok"):
        raise TelegramError(method, str(data.get("description", "")), data.get("error_code"))
    return data.get("result")


def get_updates(token: str, *, offset: int, timeout: int, limit: int = 100) -> list[dict]:
    params = {"offset": offset, "timeout": timeout, "limit": limit}
    params["allowed_updates"] = ["message", "callback_query"]
    # The read timeout must outlast Telegram's own long-poll wait.
    return api_call(token, "getUpdates", params, timeout=timeout + settings.TELEGRAM_TIMEOUT)


def send_message(
    token: str, *, chat_id: int | str, text: str, keyboard: list[list[dict]] | None = None
) -> dict:
    params: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if keyboard:
        params["reply_markup"] = {"inline_keyboard": keyboard}
    return api_call(token, "sendMessage", params)


# Telegram sends photos up to 10 MB as pictures; other files (and larger photos) up to
# 50 MB as documents.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def send_file(
    token: str,
    *,
    chat_id: int | str,
    filename: str,
    content: bytes,
    content_type: str,
    caption: str = "",
) -> dict:
    """sendPhoto for a picture Telegram can show, else sendDocument (multipart upload)."""
    as_photo = content_type in PHOTO_TYPES and len(content) <= PHOTO_MAX_BYTES
    method, field = ("sendPhoto", "photo") if as_photo else ("sendDocument", "document")
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/{method}"
    data = {"chat_id": str(chat_id)}
    if caption:
        data["caption"] = caption[:1024]  # Telegram's caption limit
    files = {field: (filename, content, content_type or "application/octet-stream")}
    return _result(method, _http().post(url, data=data, files=files))


def edit_message_text(
    token: str,
    *,
    chat_id: int | str,
    message_id: int,
    text: str,
    keyboard: list[list[dict]] | None = None,
) -> Any:
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
    params["reply_markup"] = {"inline_keyboard": keyboard or []}
    return api_call(token, "editMessageText", params)


def answer_callback_query(token: str, *, callback_query_id: str, text: str) -> Any:
    params = {"callback_query_id": callback_query_id, "text": text[:200], "show_alert": True}
    return api_call(token, "answerCallbackQuery", params)


def download_file(token: str, *, file_id: str, max_bytes: int) -> bytes:
    """getFile, then the download; ValueError when the file is larger than ``max_bytes``."""
    info = api_call(token, "getFile", {"file_id": file_id})
    if int(info.get("file_size") or 0) > max_bytes:
        raise ValueError("file too large")
    url = f"{settings.TELEGRAM_API_URL}/file/bot{token}/{info['file_path']}"
    with _http().stream("GET", url) as response:
        response.raise_for_status()
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ValueError("file too large")
            chunks.append(chunk)
    return b"".join(chunks)


def set_webhook(token: str, *, url: str, secret_token: str) -> Any:
    params = {"url": url, "secret_token": secret_token}
    params["allowed_updates"] = ["message", "callback_query"]  # type: ignore[assignment]
    return api_call(token, "setWebhook", params)


def delete_webhook(token: str) -> Any:
    return api_call(token, "deleteWebhook", {})


def get_me(token: str) -> dict:
    return api_call(token, "getMe")
