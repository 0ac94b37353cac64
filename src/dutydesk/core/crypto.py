"""Secrets at rest (mailbox passwords, bot tokens, PBX secrets): Fernet keyed from settings."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    # A fixed derivation, so any string can key it and a restart reads what was written.
    key = getattr(settings, "ENCRYPTION_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"dutydesk-secret-fields:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_decrypt(stored: str) -> str:
    """The plain secret; "" when nothing is stored or the key changed (then re-enter it)."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return ""
