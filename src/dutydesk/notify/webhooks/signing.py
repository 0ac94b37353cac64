"""The signature of a webhook delivery: HMAC-SHA256 over ``"<timestamp>.<body>"``.

``signature_verify`` is what a receiver runs (docs/webhooks.md has it standalone).
"""

from __future__ import annotations

import secrets

from dutydesk.core import signing

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between signing and receipt


def secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return signing.signature(secret, str(timestamp), body)


def signature_verify(
    secret: str,
    body: bytes,
    timestamp: str,
    header: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when the header signs this body and timestamp, and the timestamp is recent."""
    return signing.signature_valid(
        secret=secret,
        timestamp=timestamp or "",
        given=header or "",
        body=body,
        tolerance=tolerance,
        now=now,
    )
