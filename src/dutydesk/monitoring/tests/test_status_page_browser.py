"""The status page in a real browser at desktop and phone width, in English and Russian."""

import pytest
from django.utils import timezone

from dutydesk.monitoring.tests.status_data import status_history
from dutydesk.testing.browser import chromium, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("size", "width"), [("desktop", 1280), ("phone", 390)])
def test_status_page_renders_without_scripts_or_external_assets(
    live_server, acme, l1_agent, size, width, language
):
    status_history(acme, l1_agent, timezone.now())
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900}, locale=language)
        external = []
        page.on(
            "request",
            lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(f"{live_server.url}/status/acme")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".component").count() == 2
        bar = page.locator(".component").first.locator(".bar").last
        assert bar.get_attribute("title").startswith(timezone.now().date().isoformat())
        # Nothing overflows sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"status-page-{size}-{language}")
        assert external == []
