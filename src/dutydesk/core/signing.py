"""HMAC-SHA256 request signatures: ``sha256=hex(HMAC(secret, "<timestamp>.<body>"))``.

One scheme both ways: PBX call events sign with it, outbound webhooks are signed with it."""

from __future__ import annotations

import hashlib
import hmac

from django.utils import timezone

TIMESTAMP_HEADER = "X-DutyDesk-Timestamp"
SIGNATURE_HEADER = "X-DutyDesk-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_valid(
    *,
    secret: str,
    timestamp: str,
    given: str,
    body: bytes,
    tolerance: int,
    now: float | None = None,
) -> bool:
    """True for a correct signature over a timestamp within ``tolerance`` seconds of now."""
    if not secret or not given or not timestamp.isdigit():
        return False
    if abs((timezone.now().timestamp() if now is None else now) - int(timestamp)) > tolerance:
        return False  # an old (replayed) or far-future request
    return hmac.compare_digest(given.strip().encode(), signature(secret, timestamp, body).encode())
