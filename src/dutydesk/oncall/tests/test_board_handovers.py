"""Handover reports in the workspace: browse by day, the current shift's briefing, the note."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from dutydesk.oncall.models import ShiftReport
from dutydesk.oncall.shifts import shift_reports_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM

pytestmark = pytest.mark.django_db


@pytest.fixture
def night(l1_schedule, night_agent):
    """Friday night's shift, briefed at 20:00 and under way at 03:00 on Saturday."""
    for hours in (8, 7):  # planned at 19:00, briefed at 20:00
        with time_machine.travel(SATURDAY_3AM - timedelta(hours=hours), tick=False):
            shift_reports_sweep()
    return ShiftReport.objects.get(user=night_agent, starts_at__lt=SATURDAY_3AM)


def test_anonymous_customer_and_unknown(client, anna, night):
    detail = reverse("oncall-handover", args=[night.pk])
    assert "/login/" in client.get(detail)["Location"]
    client.force_login(anna)
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"note": "x"}).status_code == 403


def test_the_current_shift_shows_its_briefing(client, night_agent, night):
    client.force_login(night_agent)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        body = client.get(reverse("oncall-handovers")).content.decode()
    assert "Current shift" in body and "Shift briefing" in body
    assert "Open tickets by urgency" in body  # the briefing was sent at 20:00
    assert reverse("oncall-handover", args=[night.pk]) in body


def test_browse_by_day(client, l1_agent, night):
    client.force_login(l1_agent)
    with time_machine.travel(SATURDAY_3AM + timedelta(days=2), tick=False):
        friday = client.get(reverse("oncall-handovers") + "?day=2026-11-27").content.decode()
        sunday = client.get(reverse("oncall-handovers") + "?day=2026-11-29").content.decode()
        bad = client.get(reverse("oncall-handovers") + "?day=yesterday")
    link = reverse("oncall-handover", args=[night.pk])
    assert link in friday and link not in sunday
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_the_outgoing_person_writes_the_note(client, night_agent, night):
    client.force_login(night_agent)
    detail = reverse("oncall-handover", args=[night.pk])
    with time_machine.travel(SATURDAY_3AM, tick=False):
        assert 'name="note"' in client.get(detail).content.decode()
        response = client.post(detail, {"note": "db-1 disk: L2 cleaning logs"})
    assert response.status_code == 302
    night.refresh_from_db()
    assert night.note == "db-1 disk: L2 cleaning logs"


def test_someone_else_reads_but_cannot_write_the_note(client, l1_agent, night):
    client.force_login(l1_agent)
    detail = reverse("oncall-handover", args=[night.pk])
    assert 'name="note"' not in client.get(detail).content.decode()
    assert client.post(detail, {"note": "mine now"}).status_code == 403
    night.refresh_from_db()
    assert night.note == ""


def test_after_the_handover_the_note_is_closed_and_the_report_shows(
    client, night_agent, supervisor, night
):
    with time_machine.travel(SATURDAY_3AM.replace(hour=8), tick=False):
        shift_reports_sweep()
    client.force_login(night_agent)
    detail = reverse("oncall-handover", args=[night.pk])
    body = client.get(detail).content.decode()
    assert "Handover report" in body and 'name="note"' not in body
    assert client.post(detail, {"note": "late"}).status_code == 403
    too_long = client.post(detail, {"note": "x" * 6000})
    assert too_long.status_code == 403


def test_a_too_long_note_is_a_form_error(client, night_agent, night):
    client.force_login(night_agent)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        response = client.post(reverse("oncall-handover", args=[night.pk]), {"note": "x" * 6000})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_the_list_costs_the_same_queries_for_more_shifts(
    client, l1_agent, l1_schedule, django_assert_max_num_queries
):
    with time_machine.travel(SATURDAY_3AM - timedelta(days=3), tick=False):
        shift_reports_sweep()
    client.force_login(l1_agent)
    with (
        time_machine.travel(SATURDAY_3AM - timedelta(days=2), tick=False),
        django_assert_max_num_queries(12) as few,
    ):
        client.get(reverse("oncall-handovers"))
    for day in range(2, 0, -1):
        with time_machine.travel(SATURDAY_3AM - timedelta(days=day), tick=False):
            shift_reports_sweep()
    assert ShiftReport.objects.count() >= 5
    with (
        time_machine.travel(SATURDAY_3AM, tick=False),
        django_assert_max_num_queries(len(few.captured_queries)),
    ):
        body = client.get(reverse("oncall-handovers")).content.decode()
    assert body.count('class="subject"') >= 5
