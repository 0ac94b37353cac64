"""The admin and the API docs in a real browser, at desktop and phone width."""

import pytest

from dutydesk.accounts.models import Role
from dutydesk.testing.browser import DESKTOP, PHONE, chromium, screenshot
from dutydesk.testing.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_admin_signs_in_and_reads_the_audit_log(live_server, size, viewport, language):
    UserFactory(email="root@support.test", role=Role.ADMIN, is_superuser=True)
    with chromium() as browser:
        page = browser.new_page(viewport=viewport, locale=language)
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "root@support.test")
        page.fill("#id_password", "secret")
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/core/auditlog/")
        assert page.locator("html").get_attribute("lang") == language
        heading = page.locator("#content h1").inner_text()
        assert heading == ("Select audit record to view" if language == "en" else heading)
        assert language == "en" or "Select" not in heading
        screenshot(page, f"admin-audit-{size}-{language}")


def test_api_docs_render_without_external_assets(live_server):
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP)
        external = []
        page.on(
            "request",
            lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
        assert "DutyDesk API" in page.locator(".swagger-ui .info .title").inner_text()
        page.wait_for_selector(".opblock-summary-path", timeout=15000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/tickets" in paths and "/api/v1/tickets/{number}/replies" in paths
        screenshot(page, "api-docs-desktop")
        assert external == []
