"""Playwright on the machine's Chromium (never a downloaded browser), for browser tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(
    os.environ.get("DUTYDESK_SCREENSHOTS", Path(tempfile.gettempdir()) / "dutydesk-screenshots")
)


def _skip_or_fail(reason: str) -> None:
    # CI sets DUTYDESK_REQUIRE_BROWSER so that a missing browser fails instead of passing.
    if os.environ.get("DUTYDESK_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium, or a skip when it or Playwright is not installed."""
    if not Path(CHROMIUM).exists():
        _skip_or_fail("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        _skip_or_fail("Playwright is not installed (uv sync)")
    # Playwright's sync API runs an event loop; Django's ORM in the live server is fine.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
