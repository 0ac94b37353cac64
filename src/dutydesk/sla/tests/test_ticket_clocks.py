"""The SLA clocks kept on tickets: dues set at creation and moved by what happens next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from dutydesk.api.tests.client import api_client
from dutydesk.sla.models import BusinessCalendar, Policy, PolicyTarget
from dutydesk.sla.services import sla_replay
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Status, Ticket
from dutydesk.tickets.services import ingest, ticket_merge, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
SATURDAY_3AM = datetime(2027, 3, 13, 3, 0, tzinfo=UTC)
# Monday 2027-03-15, 10:00 in Moscow: an ordinary working day.
MONDAY_10 = datetime(2027, 3, 15, 10, 0, tzinfo=MOSCOW)


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=MOSCOW)


@pytest.fixture
def globex_business_hours(globex):
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.time_zone = "Europe/Moscow"
    globex.save()
    return globex


def open_ticket(organization, sender: str, priority: str, **fields) -> Ticket:
    return ingest(
        inbound(organization=organization, sender_email=sender, priority=priority, **fields)
    ).ticket


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- policies ---------------------------------------------------------------------------


def test_the_default_policies_come_with_every_priority():
    standard = Policy.objects.get(is_default=True)
    assert standard.slug == "standard-24x7" and standard.calendar.slug == "24x7"
    business = Policy.objects.get(slug="business-moscow")
    assert business.calendar.slug == "moscow-office"
    p1 = business.targets.get(priority="P1")
    assert (p1.first_response_minutes, p1.next_response_minutes, p1.resolution_minutes) == (
        30,
        60,
        480,
    )
    assert standard.targets.count() == business.targets.count() == 4


def test_only_one_policy_can_be_the_default():
    calendar = BusinessCalendar.objects.get(slug="24x7")
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.create(name="Other", slug="other", calendar=calendar, is_default=True)


def test_a_target_of_zero_minutes_is_refused():
    policy = Policy.objects.get(slug="business-moscow")
    policy.targets.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyTarget.objects.create(
            policy=policy,
            priority="P1",
            first_response_minutes=0,
            next_response_minutes=60,
            resolution_minutes=480,
        )


# --- first response ---------------------------------------------------------------------


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_p1_on_a_saturday_night_on_24x7_is_due_in_15_minutes(acme, anna):
    ticket = open_ticket(acme, "anna@acme.test", "P1")

    ticket = reload(ticket)
    assert ticket.sla_policy.slug == "standard-24x7"  # acme has no policy: the default
    assert ticket.first_response_due == datetime(2027, 3, 13, 3, 15, tzinfo=UTC)
    assert ticket.resolution_due == datetime(2027, 3, 13, 7, 0, tzinfo=UTC)
    assert ticket.next_response_due is None


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_p1_on_a_saturday_night_on_business_hours_is_due_monday_morning(
    globex_business_hours, gina
):
    ticket = reload(open_ticket(globex_business_hours, "gina@globex.test", "P1"))

    assert ticket.sla_policy.slug == "business-moscow"
    assert ticket.first_response_due == moscow(15, 9, 30)
    assert ticket.first_response_due == datetime(2027, 3, 15, 6, 30, tzinfo=UTC)
    assert ticket.resolution_due == moscow(15, 17, 0)  # 8 working hours from 09:00


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_the_confirmation_names_the_due_time_when_the_clock_stops_overnight(
    globex_business_hours, gina, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(globex_business_hours, "gina@globex.test", "P1")

    body = next(m for m in mail.outbox if m.to == ["gina@globex.test"]).body
    assert "We will get back to you by Monday 15 March, 09:30 (Europe/Moscow)." in body


def test_an_internal_note_does_not_stop_the_first_response_clock(acme, anna, l1_agent):
    ticket = open_ticket(acme, "anna@acme.test", "P2")
    due = reload(ticket).first_response_due

    ticket_reply(ticket=ticket, by=l1_agent, body="Looks like the VPN gateway.", internal=True)
    ticket = reload(ticket)
    assert ticket.first_response_at is None
    assert ticket.first_response_due == due

    ticket_reply(ticket=ticket, by=l1_agent, body="We are on it.")
    ticket = reload(ticket)
    assert ticket.first_response_at is not None
    assert ticket.first_response_due == due  # kept, to report whether it was met


# --- next response ----------------------------------------------------------------------


def test_a_client_message_before_the_first_response_starts_no_next_response(acme, anna):
    ticket = open_ticket(acme, "anna@acme.test", "P3")
    ingest(inbound(ticket_number=ticket.number, subject="", body_text="Any news?"))

    assert reload(ticket).next_response_due is None


def test_a_client_message_after_the_reply_starts_next_response_and_a_reply_stops_it(
    acme, anna, l1_agent
):
    with time_machine.travel(datetime(2027, 3, 13, 3, 0, tzinfo=UTC), tick=False) as traveller:
        ticket = open_ticket(acme, "anna@acme.test", "P3")
        ticket_reply(ticket=ticket, by=l1_agent, body="Please restart the client.")
        traveller.move_to(datetime(2027, 3, 13, 5, 0, tzinfo=UTC))
        ingest(inbound(ticket_number=ticket.number, subject="", body_text="Still broken."))
        # A second message does not push back the one already waiting.
        traveller.move_to(datetime(2027, 3, 13, 6, 0, tzinfo=UTC))
        ingest(inbound(ticket_number=ticket.number, subject="", body_text="Hello?"))

        assert reload(ticket).next_response_due == datetime(2027, 3, 13, 13, 0, tzinfo=UTC)

        ticket_reply(ticket=reload(ticket), by=l1_agent, body="Checking the gateway now.")
        assert reload(ticket).next_response_due is None


# --- resolution: pauses, priority, reopen -----------------------------------------------


def test_two_working_hours_in_pending_move_the_resolution_due_by_two_working_hours(
    globex_business_hours, gina, l2_agent
):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        assert reload(ticket).resolution_due == moscow(15, 18)

        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)
        paused = reload(ticket)
        assert paused.resolution_due is None
        assert paused.resolution_paused_at == moscow(15, 11)

        traveller.move_to(moscow(15, 13))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.OPEN)

    ticket = reload(ticket)
    assert ticket.resolution_paused == timedelta(hours=2)
    assert ticket.resolution_paused_at is None
    assert ticket.resolution_due == moscow(16, 11)  # Monday 18:00 + 2 working hours


def test_pending_overnight_collects_only_working_time(globex_business_hours, gina, l2_agent):
    with time_machine.travel(moscow(15, 17), tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        ticket_update(ticket=ticket, by=l2_agent, status=Status.ON_HOLD)
        traveller.move_to(moscow(16, 10))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.OPEN)

    assert reload(ticket).resolution_paused == timedelta(hours=2)  # 17–18 and 09–10


def test_a_priority_change_recomputes_the_dues_and_keeps_the_paused_time(
    globex_business_hours, gina, l2_agent
):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)
        traveller.move_to(moscow(15, 13))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.OPEN)
        traveller.move_to(moscow(15, 14))
        ticket_update(ticket=ticket, by=l2_agent, priority="P2")

    ticket = reload(ticket)
    assert ticket.resolution_paused == timedelta(hours=2)
    assert ticket.first_response_due == moscow(15, 11)  # P2: 60 minutes, not yet answered
    # P2 resolution: 16 working hours, plus the 2 paused: Monday 8 h, Tuesday 9 h, Wednesday 1 h.
    assert ticket.resolution_due == moscow(17, 10)


def test_a_priority_change_after_the_first_response_keeps_its_due(acme, anna, l1_agent):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = open_ticket(acme, "anna@acme.test", "P3")
        ticket_reply(ticket=ticket, by=l1_agent, body="On it.")
        ticket_update(ticket=ticket, by=l1_agent, priority="P1")

    ticket = reload(ticket)
    assert ticket.first_response_due == SATURDAY_3AM + timedelta(hours=4)  # the P3 promise
    assert ticket.resolution_due == SATURDAY_3AM + timedelta(hours=4)  # P1: 240 minutes


def test_resolving_keeps_the_due_and_reopening_moves_it_by_the_time_resolved(acme, anna, l1_agent):
    with time_machine.travel(SATURDAY_3AM, tick=False) as traveller:
        ticket = open_ticket(acme, "anna@acme.test", "P1")
        traveller.move_to(SATURDAY_3AM + timedelta(hours=1))
        ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
        resolved = reload(ticket)
        assert resolved.resolution_due == SATURDAY_3AM + timedelta(hours=4)

        traveller.move_to(SATURDAY_3AM + timedelta(hours=3))
        result = ingest(inbound(ticket_number=ticket.number, subject="", body_text="Again."))
        assert result.reopened

    ticket = reload(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.resolution_paused == timedelta(hours=2)
    assert ticket.resolution_due == SATURDAY_3AM + timedelta(hours=6)


def test_closing_a_resolved_ticket_keeps_its_due(acme, anna, l1_agent):
    with time_machine.travel(SATURDAY_3AM, tick=False) as traveller:
        ticket = open_ticket(acme, "anna@acme.test", "P1")
        traveller.move_to(SATURDAY_3AM + timedelta(hours=1))
        ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
        traveller.move_to(SATURDAY_3AM + timedelta(days=2))
        ticket_update(ticket=ticket, by=l1_agent, status=Status.CLOSED)

    ticket = reload(ticket)
    assert ticket.resolution_due == SATURDAY_3AM + timedelta(hours=4)
    assert ticket.resolution_paused == timedelta(0)
    assert ticket.resolution_paused_at == SATURDAY_3AM + timedelta(hours=1)


def test_resolving_while_pending_gives_the_due_as_if_the_clock_ran_again(
    globex_business_hours, gina, l2_agent
):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)
        traveller.move_to(moscow(15, 12))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.RESOLVED)

    ticket = reload(ticket)
    assert ticket.resolution_due == moscow(16, 10)  # Monday 18:00 + the paused hour
    assert ticket.resolved_at < ticket.resolution_due  # met


def test_reopening_by_an_agent_recomputes_too(acme, anna, l1_agent):
    with time_machine.travel(SATURDAY_3AM, tick=False) as traveller:
        ticket = open_ticket(acme, "anna@acme.test", "P1")
        ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
        traveller.move_to(SATURDAY_3AM + timedelta(minutes=30))
        ticket_update(ticket=ticket, by=l1_agent, status=Status.OPEN)

    ticket = reload(ticket)
    assert ticket.resolution_due == SATURDAY_3AM + timedelta(hours=4, minutes=30)


def test_merging_stops_the_source_clock(acme, anna, l1_agent):
    source = open_ticket(acme, "anna@acme.test", "P1")
    target = open_ticket(acme, "anna@acme.test", "P1")
    ticket_merge(source=source, target=target, by=l1_agent)

    source = reload(source)
    assert source.status == Status.CLOSED
    assert source.resolution_paused_at is not None
    assert source.resolution_due is not None


# --- no policy ----------------------------------------------------------------------------


def test_without_a_policy_or_a_default_a_ticket_has_no_dues(acme, anna, l1_agent):
    Policy.objects.update(is_default=False)
    ticket = open_ticket(acme, "anna@acme.test", "P1")
    ticket_update(ticket=ticket, by=l1_agent, status=Status.PENDING)
    ticket_update(ticket=ticket, by=l1_agent, status=Status.OPEN, priority="P2")

    ticket = reload(ticket)
    assert ticket.sla_policy is None
    assert (ticket.first_response_due, ticket.next_response_due, ticket.resolution_due) == (
        None,
        None,
        None,
    )
    body = api_client(anna).get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["sla"]["policy"] is None


def test_a_calendar_that_cannot_measure_does_not_stop_the_ticket(acme, anna, caplog):
    # Saved around the checks (as an older install might have): no working hours at all.
    broken = BusinessCalendar.objects.create(name="Broken", slug="broken", time_zone="UTC")
    Policy.objects.filter(is_default=True).update(calendar=broken)

    ticket = reload(open_ticket(acme, "anna@acme.test", "P1"))

    assert ticket.sla_policy.slug == "standard-24x7"
    assert ticket.first_response_due is None and ticket.resolution_due is None
    assert "SLA clock not updated by sla_start" in caplog.text


# --- replay and API -------------------------------------------------------------------------


def test_replay_gives_the_dues_the_live_clocks_gave(globex_business_hours, gina, l2_agent):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        traveller.move_to(moscow(15, 10, 20))
        ticket_reply(ticket=ticket, by=l2_agent, body="Looking.")
        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)
        traveller.move_to(moscow(15, 13))
        ingest(inbound(ticket_number=ticket.number, subject="", sender_email="gina@globex.test"))
        traveller.move_to(moscow(15, 14))
        ticket_update(ticket=ticket, by=l2_agent, priority="P2")
    live = reload(ticket)

    replayed = reload(ticket)
    sla_replay(replayed)

    for field in ("first_response_due", "resolution_due", "resolution_paused", "first_response_at"):
        assert getattr(replayed, field) == getattr(live, field), field
    assert live.next_response_due == moscow(15, 17)  # P2: 240 minutes after 13:00


def test_the_api_shows_the_clocks_to_staff_and_customers(
    globex_business_hours, gina, l2_agent, supervisor
):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = open_ticket(globex_business_hours, "gina@globex.test", "P1")
        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)

        for caller in (gina, supervisor):
            detail = api_client(caller).get(f"/api/v1/tickets/{ticket.number}").json()
            assert detail["sla"] == {
                "policy": "business-moscow",
                "first_response_due": "2027-03-15T07:30:00Z",
                "next_response_due": None,
                "resolution_due": None,
                "unanswered_due": "2027-03-15T07:30:00Z",
                "paused": True,
                "breached": [],
            }
        listed = api_client(supervisor).get("/api/v1/tickets").json()["items"]
        assert listed[0]["sla"]["policy"] == "business-moscow"
        assert listed[0]["sla"]["paused"] is True
