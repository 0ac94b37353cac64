from __future__ import annotations

import json
import time

import pytest

from dutydesk.channels.phone.services import phone_integration_create
from dutydesk.core.signing import signature


@pytest.fixture
def pbx(db, acme):
    integration, secret = phone_integration_create(name="Office PBX", organization=acme, by=None)
    integration.plain_secret = secret
    return integration


@pytest.fixture
def post_event(client, pbx):
    """POST a call event to the hook, signed like a PBX would (override any part)."""

    def post(body: dict | str, *, secret: str | None = None, age: int = 0):
        raw = body if isinstance(body, str) else json.dumps(body)
        ts = str(int(time.time()) - age)
        return client.post(
            f"/hooks/phone/{pbx.token}",
            data=raw,
            content_type="application/json",
            headers={
                "X-DutyDesk-Timestamp": ts,
                "X-DutyDesk-Signature": signature(
                    pbx.plain_secret if secret is None else secret, ts, raw.encode()
                ),
            },
        )

    return post
