from __future__ import annotations

import random
import re

import pytest

from dutydesk.channels.webform.models import WebForm


@pytest.fixture
def webform(db, acme):
    return WebForm.objects.create(
        name="Acme support",
        organization=acme,
        allowed_origins="https://www.acme.test",
        ask_phone=True,
        ask_company=True,
    )


@pytest.fixture(autouse=True)
def _no_fill_delay(settings):
    # The minimum fill time has its own tests; elsewhere a test may send at once.
    settings.WEBFORM_MIN_FILL_SECONDS = 0


@pytest.fixture
def visitor(client):
    """An anonymous browser from an address of its own (the rate limit counts per address)."""
    client.defaults["REMOTE_ADDR"] = "10.{}.{}.{}".format(*random.sample(range(1, 250), 3))
    return client


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def fill(visitor, webform):
    """Open the form, then send it with these fields (defaults: a valid request)."""

    def send(*, token: str | None = None, url: str | None = None, **fields):
        page_url = url or f"/forms/{webform.slug}/"
        if token is None:
            token = token_of(visitor.get(page_url).content.decode())
        data = {
            "token": token,
            "name": "Nina Novak",
            "email": "nina@acme.test",
            "subject": "Printer offline",
            "message": "The printer on floor 2 shows offline since 9:00.",
            "website": "",
            **fields,
        }
        return visitor.post(page_url, data)

    return send
