"""The on-call pages in a real browser at 1280 px and 390 px, in English and Russian: who is
on call now, the page list, a page's detail; the engineer acknowledges from the phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dutydesk.oncall.models import Page, PageStatus
from dutydesk.oncall.paging import page_if_urgent
from dutydesk.oncall.shifts import shift_reports_sweep
from dutydesk.oncall.sweep import pages_sweep
from dutydesk.testing.browser import (
    PHONE,
    chromium,
    csp_violations,
    screenshot,
    screenshots_at_both_widths,
    sign_in,
)
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Priority, TicketType
from dutydesk.tickets.services import ingest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def escalated_page(subject: str) -> Page:
    """A P1 page whose first step ran, then (no answer) its second."""
    ticket = ingest(inbound(priority=Priority.P1, type=TicketType.INCIDENT, subject=subject)).ticket
    found = page_if_urgent(ticket=ticket)
    assert found is not None
    pages_sweep(now=timezone.now() + timedelta(minutes=5))
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_on_call_now_and_a_page_from_a_phone(
    live_server, anna, l1_policy, l1_agent, night_agent, l2_agent, supervisor, language
):
    l2_agent.phone = "+7 912 000-00-02"
    l2_agent.save(update_fields=["phone"])
    page = escalated_page("Disk /var is 95% full on db-1")
    escalated_page("Payment gateway returns 502")
    shift_reports_sweep()
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        tab = context.new_page()
        violations = csp_violations(tab)
        sign_in(tab, base, l2_agent.email)

        tab.goto(f"{base}/desk/oncall/now/")
        assert tab.locator("html").get_attribute("lang") == language
        assert tab.locator(".oncall-team").count() == 2
        screenshots_at_both_widths(tab, f"oncall-now-{language}")
        tab.set_viewport_size(PHONE)
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.set_viewport_size({"width": 1280, "height": 860})

        tab.goto(f"{base}/desk/oncall/pages/")
        assert tab.locator("td.subject").count() == 2
        screenshots_at_both_widths(tab, f"oncall-pages-{language}")

        tab.goto(f"{base}/desk/oncall/pages/{page.pk}/")
        assert tab.locator(".oncall-round").count() == 2
        screenshots_at_both_widths(tab, f"oncall-page-{language}")

        # At 3 a.m. from the phone: the Acknowledge button is in reach and works.
        tab.set_viewport_size(PHONE)
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.click(".actionbar button.btn-primary")
        tab.wait_for_load_state()
        assert tab.locator(".flash-success").count() == 1
        screenshot(tab, f"oncall-page-acknowledged-{language}-390")
        tab.set_viewport_size({"width": 1280, "height": 860})
        tab.goto(f"{base}/desk/oncall/my-shifts/")
        assert tab.locator(".oncall-feed").count() == 1
        screenshots_at_both_widths(tab, f"oncall-my-shifts-{language}")
        tab.goto(f"{base}/desk/oncall/handovers/")
        screenshots_at_both_widths(tab, f"oncall-handovers-{language}")
        tab.goto(f"{base}/desk/oncall/policies/")
        screenshots_at_both_widths(tab, f"oncall-policies-{language}")
        assert violations == []

        # A supervisor edits L1's policy.
        boss = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        editor = boss.new_page()
        sign_in(editor, base, supervisor.email)
        editor.goto(f"{base}/desk/oncall/policies/l1/")
        editor.fill("#id_steps-1-wait_minutes", "15")
        editor.click("form.oncall-policy-form button[type=submit]")
        editor.wait_for_load_state()
        assert editor.locator(".flash-success").count() == 1
        screenshots_at_both_widths(editor, f"oncall-policy-{language}")
    assert l1_policy.steps.get(position=1).wait_minutes == 15
    found = Page.objects.get(pk=page.pk)
    assert found.status == PageStatus.ACKNOWLEDGED and found.acknowledged_by == l2_agent
