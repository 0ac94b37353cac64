"""The schedule pages in a real browser, in English and Russian, at 1280 px and 390 px:
the calendar's week and month, a shift clicked to fill the override form, the override
saved, the edit page and the fairness. Screenshots go to DUTYDESK_SCREENSHOTS."""

from datetime import datetime, time

import pytest
import time_machine

from dutydesk.accounts.models import Role
from dutydesk.oncall.models import Override, RotationLayer, Schedule
from dutydesk.oncall.tests.conftest import MSK, layer
from dutydesk.testing.browser import chromium, csp_violations, screenshots_at_both_widths, sign_in
from dutydesk.testing.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=MSK)


@pytest.fixture
def team_schedule(l1_team, supervisor):
    """Weekday days, a Saturday layer and nights; nobody holds Sunday's day (a gap)."""
    names = ["Anna Lebedeva", "Timur Galiev", "Sara Lind", "Igor Fedorov"]
    anna, timur, sara, igor = (
        UserFactory(email=f"p{n}@support.test", name=name, role=Role.AGENT, teams=[l1_team])
        for n, name in enumerate(names)
    )
    schedule = Schedule.objects.create(team=l1_team, name="First line on-call")
    layer(schedule, 0, [anna, timur], unit="weeks", days=range(5), start=time(8), end=time(20))
    layer(schedule, 1, [timur, anna], unit="weeks", days=[5], start=time(8), end=time(20))
    layer(schedule, 2, [igor, sara], days=range(7), start=time(20), end=time(8))
    for level, name in enumerate(["Weekdays", "Saturday", "Nights"]):
        RotationLayer.objects.filter(schedule=schedule, level=level).update(name=name)
    Override.objects.create(
        schedule=schedule,
        user=sara,
        start=datetime(2026, 11, 27, 8, tzinfo=MSK),
        end=datetime(2026, 11, 27, 20, tzinfo=MSK),
        note="Swap",
    )
    return schedule


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_supervisor_reads_the_calendar_and_covers_a_gap(
    live_server, team_schedule, supervisor, language
):
    base = live_server.url
    url = f"{base}/desk/oncall/schedules/{team_schedule.pk}/"
    with time_machine.travel(NOW, tick=True), chromium() as browser:
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        violations = csp_violations(page)
        sign_in(page, base, supervisor.email)

        page.goto(f"{base}/desk/oncall/schedules/")
        assert page.locator("html").get_attribute("lang") == language
        screenshots_at_both_widths(page, f"{language}-oncall-list")

        page.goto(url + "?view=week&start=2026-11-23")
        assert page.locator(".oc-track").count() == 6  # head, 3 layers, overrides, final
        screenshots_at_both_widths(page, f"{language}-oncall-week")

        # The month, reached with the switch (htmx swaps the calendar and keeps the URL).
        page.click(".viewtabs a[href*='view=month']")
        page.wait_for_url("**view=month**")
        page.wait_for_selector(".oc-month")
        screenshots_at_both_widths(page, f"{language}-oncall-month")

        # Back to the week; Sunday's gap is clicked and fills the override form.
        page.goto(url + "?view=week&start=2026-11-23")
        page.locator(".oc-track-final .oc-bar.gap").first.click()
        page.wait_for_url("**ov_start=**")
        assert page.input_value("#id_start") == "2026-11-29T08:00"
        assert page.input_value("#id_end") == "2026-11-29T20:00"
        page.select_option("#id_user", label="Timur Galiev")
        page.click("#override button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".flash").count() == 1
        assert Override.objects.filter(user__name="Timur Galiev").count() == 1

        page.goto(url.replace("/schedules/", "/schedules/") + "edit/")
        screenshots_at_both_widths(page, f"{language}-oncall-edit")
        page.goto(url + "fairness/?month=2026-11")
        screenshots_at_both_widths(page, f"{language}-oncall-fairness")
        assert violations == []
        context.close()
