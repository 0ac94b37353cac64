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


WIDE = {"width": 1280, "height": 860}


def screenshots_at_both_widths(page, name: str) -> list[Path]:
    """The page at 1280 px and at 390 px (a phone), then back to the width it had."""
    before = page.viewport_size
    paths = []
    for label, size in (("1280", WIDE), ("390", PHONE)):
        page.set_viewport_size(size)
        paths.append(screenshot(page, f"{name}-{label}"))
    if before:
        page.set_viewport_size(before)
    return paths


def csp_violations(page) -> list[str]:
    """Collects console errors about the Content-Security-Policy as the page runs."""
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def tiny_png() -> bytes:
    """A valid 2×2 PNG, to upload as a screenshot."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xd0\x40\x30" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the login form of the server at ``base``, with the password the
    test factories give every user."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", "secret")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
