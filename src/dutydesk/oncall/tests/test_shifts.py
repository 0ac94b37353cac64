"""Shift briefings and handovers: planned as rows, sent once, caught up after a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from dutydesk.notify.models import Delivery
from dutydesk.oncall.models import ShiftReport
from dutydesk.oncall.paging import page_open
from dutydesk.oncall.shifts import shift_note_set, shift_reports_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import inbound
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import Priority, TicketType
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

SATURDAY_8PM = SATURDAY_3AM.replace(hour=20)


def test_the_night_on_call_is_briefed_at_the_start_of_the_shift(anna, l1_schedule, night_agent):
    with time_machine.travel(SATURDAY_8PM - timedelta(hours=1), tick=False):
        shift_reports_sweep()
        ticket = ingest(inbound(priority=Priority.P2, type=TicketType.INCIDENT)).ticket
        page_open(ticket=ticket, reason="urgent")
        assert not Delivery.objects.filter(kind="shift_briefing").exists()
    with time_machine.travel(SATURDAY_8PM, tick=False):
        shift_reports_sweep()
        shift_reports_sweep()  # a second sweep sends nothing more
    briefings = Delivery.objects.filter(kind="shift_briefing")
    assert sorted(briefings.values_list("channel", "recipient")) == [
        ("email", night_agent.email),
        ("telegram", "1001"),
    ]
    row = ShiftReport.objects.get(user=night_agent, starts_at=SATURDAY_8PM)
    assert [t["ticket"] for t in row.briefing["tickets"]] == [ticket.number]
    assert [p["ticket"] for p in row.briefing["pages"]] == [ticket.number]
    assert row.briefing["previous_by"] == "lena@support.test"


def test_a_worker_down_over_the_handoff_catches_up(anna, l1_schedule, night_agent, supervisor):
    with time_machine.travel(SATURDAY_8PM - timedelta(hours=3), tick=False):
        shift_reports_sweep()
    # Nothing ran from 17:00 to 20:30: the rows still say what is due.
    with time_machine.travel(SATURDAY_8PM + timedelta(minutes=30), tick=False):
        shift_reports_sweep()
    assert Delivery.objects.filter(kind="shift_briefing", recipient=night_agent.email).count() == 1
    handovers = Delivery.objects.filter(kind="shift_handover")
    assert set(handovers.values_list("recipient", flat=True)) == {
        night_agent.email,  # the next on-call, by email and Telegram
        "1001",
        supervisor.email,
    }


def test_only_the_person_on_shift_or_a_supervisor_writes_the_note(
    l1_schedule, l1_agent, night_agent, supervisor
):
    with time_machine.travel(SATURDAY_8PM - timedelta(hours=1), tick=False):
        shift_reports_sweep()
        row = ShiftReport.objects.get(user=l1_agent, ends_at=SATURDAY_8PM)
        with pytest.raises(ActionRefused):
            shift_note_set(report=row, by=night_agent, note="x")
        shift_note_set(report=row, by=supervisor, note="check the backup job")
    with time_machine.travel(SATURDAY_8PM, tick=False):
        shift_reports_sweep()
        with pytest.raises(ActionRefused):
            shift_note_set(report=row, by=l1_agent, note="too late")
    nxt = ShiftReport.objects.get(user=night_agent, starts_at=SATURDAY_8PM)
    assert nxt.briefing["previous_note"] == "check the backup job"


def test_an_override_moves_the_planned_shift(l1_schedule, l2_agent, night_agent):
    from dutydesk.oncall.models import Override

    with time_machine.travel(SATURDAY_8PM - timedelta(hours=2), tick=False):
        shift_reports_sweep()
        assert ShiftReport.objects.filter(user=night_agent, starts_at=SATURDAY_8PM).exists()
        Override.objects.create(
            schedule=l1_schedule,
            user=l2_agent,
            start=SATURDAY_8PM,
            end=SATURDAY_8PM + timedelta(hours=12),
        )
        shift_reports_sweep()
    assert not ShiftReport.objects.filter(user=night_agent, starts_at=SATURDAY_8PM).exists()
    assert ShiftReport.objects.filter(user=l2_agent, starts_at=SATURDAY_8PM).exists()
