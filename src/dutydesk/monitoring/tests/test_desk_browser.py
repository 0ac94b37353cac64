"""The monitoring pages in a real browser, at 1280 px and 390 px, in English and Russian."""

import pytest
from django.utils import timezone

from dutydesk.accounts.models import Role
from dutydesk.channels.alerts.services.integrations import integration_create
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.services import results_record, status_group_create
from dutydesk.monitoring.tests.desk_data import latency_history
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.monitoring.tests.status_data import status_history
from dutydesk.testing.browser import chromium, csp_violations, screenshots_at_both_widths, sign_in
from dutydesk.testing.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _data(acme, globex, agent):
    now = timezone.now()
    checks = status_history(acme, agent, now)
    latency_history(checks["shop"], now)
    latency_history(checks["api"], now, base_ms=35)
    make_check(acme, "heartbeat", {"period_seconds": 86400}, name="Nightly backup")
    make_check(acme, "tls", {"host": "acme.test"}, name="Certificate", component="Web shop")
    mail = make_check(globex, "tcp", {"host": "127.0.0.1", "port": 25}, name="Mail relay")
    results_record([(mail, Outcome(True, 12.5, "Connected"), now)])
    make_check(globex, "domain", {"domain": "globex.test"}, name="globex.test", is_paused=True)
    integration_create(organization=acme, kind="alertmanager", name="Prometheus", by=None)
    status_group_create(
        organization=acme, by=None, name="Storefront", slug="shop", components=["Web shop"]
    )
    return checks


@pytest.mark.parametrize("language", ["en", "ru"])
def test_checks_list_and_check_page(live_server, acme, globex, l1_team, language):
    admin = UserFactory(email="ada@support.test", name="Ada", role=Role.ADMIN, teams=[l1_team])
    checks = _data(acme, globex, admin)
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        page = context.new_page()
        violations = csp_violations(page)
        sign_in(page, base, admin.email)
        page.goto(f"{base}/desk/monitoring/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".mon-row").count() == 7
        screenshots_at_both_widths(page, f"{language}-monitoring-checks")

        page.goto(f"{base}/desk/monitoring/checks/{checks['shop'].pk}/")
        assert page.locator("svg.chart path.line").count() == 1
        assert page.locator(".mon-bar").count() == 90
        screenshots_at_both_widths(page, f"{language}-monitoring-check")
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1280, "height": 860})

        page.goto(f"{base}/desk/monitoring/checks/{checks['shop'].pk}/?range=month")
        screenshots_at_both_widths(page, f"{language}-monitoring-check-month")

        page.goto(f"{base}/desk/monitoring/")
        beat = page.locator("a", has_text="Nightly backup").first
        beat.click()
        page.wait_for_load_state()
        assert page.locator("#ping-1").input_value().startswith(f"{base}/ping/")
        screenshots_at_both_widths(page, f"{language}-monitoring-heartbeat")

        # An integration made in the form shows its URL once; a bad payload shows its reason.
        page.goto(f"{base}/desk/monitoring/integrations/")
        page.fill("#id_name", "Grafana production")
        page.select_option("#id_kind", "grafana")
        page.click("aside form button[type=submit]")
        page.wait_for_load_state()
        url = page.locator("#intake-url").input_value()
        assert "/hooks/alerts/" in url
        path = "/hooks/" + url.split("/hooks/", 1)[1]  # BASE_URL is not the test server's
        page.request.post(
            base + path, data="{not json", headers={"Content-Type": "application/json"}
        )
        page.reload()
        assert page.locator("#intake-url").count() == 0
        assert page.locator("form[action$='/reprocess/'] button").count() == 1
        screenshots_at_both_widths(page, f"{language}-monitoring-intake-log")

        page.goto(f"{base}/desk/monitoring/maintenance/")
        page.select_option("#id_recurrence", "weekly")
        assert page.locator("#id_cron").is_hidden() and page.locator("#id_start_time").is_visible()
        # The zone is picked from the IANA list, grouped by region, not typed.
        assert page.locator("#id_time_zone optgroup[label='Europe']").count() == 1
        page.select_option("#id_time_zone", "Europe/Moscow")
        assert page.locator("#id_time_zone option:checked").inner_text() == "Moscow"

        for path, name in (
            ("checks/new/?kind=http", "check-new"),
            ("checks/new/?kind=heartbeat", "heartbeat-new"),
            ("maintenance/", "maintenance"),
            ("integrations/", "integrations"),
            ("status-pages/", "status-pages"),
        ):
            page.goto(f"{base}/desk/monitoring/{path}")
            screenshots_at_both_widths(page, f"{language}-monitoring-{name}")
        page.goto(f"{base}/status/acme/shop?lang={language}")
        screenshots_at_both_widths(page, f"{language}-status-group")
        assert violations == []
