"""Inline buttons: ``callback_data`` is ``action:ref:signature`` so a press names what it acts on
and cannot be made up by hand (the pressing agent's permissions are checked anyway)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from django.conf import settings

_PART = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
SIGNATURE_CHARS = 10  # 60 bits: enough against guessing, short enough for Telegram's 64 bytes


def _signature(action: str, ref: str) -> str:
    key = hashlib.sha256(b"dutydesk-telegram-buttons:" + settings.SECRET_KEY.encode()).digest()
    mac = hmac.new(key, f"{action}:{ref}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:SIGNATURE_CHARS]


def callback_data(action: str, ref: str | int) -> str:
    ref = str(ref)
    if not (_PART.match(action) and _PART.match(ref)):
        raise ValueError(f"bad button action or ref: {action!r} {ref!r}")
    data = f"{action}:{ref}:{_signature(action, ref)}"
    if len(data.encode()) > 64:
        raise ValueError("callback data longer than Telegram's 64 bytes")
    return data


def callback_parse(data: str) -> tuple[str, str] | None:
    """(action, ref) of a button we made, or None for anything else."""
    parts = data.split(":")
    if len(parts) != 3:
        return None
    action, ref, signature = parts
    if not hmac.compare_digest(signature, _signature(action, ref)):
        return None
    return action, ref


def button(action: str, ref: str | int, text: str) -> dict:
    """A button as deliveries carry it in ``payload["buttons"]``."""
    return {"text": str(text), "action": action, "ref": str(ref)}


def keyboard(buttons: list[dict] | None) -> list[list[dict]]:
    """Telegram's inline keyboard (one row) from payload buttons.

    A button is ``{"text", "action", "ref"}``, or ``{"text", "callback_data": "action:ref"}``
    (signed here), or ``{"text", "url"}``.
    """
    row = []
    for item in buttons or []:
        if item.get("url"):
            row.append({"text": item["text"], "url": item["url"]})
            continue
        if "action" in item:
            action, ref = item["action"], item.get("ref", "")
        else:
            action, _sep, ref = str(item.get("callback_data", "")).partition(":")
        row.append({"text": item["text"], "callback_data": callback_data(action, ref)})
    return [row] if row else []
