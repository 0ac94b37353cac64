"""The SLA sweep: warnings at 75 % and 90 % of a target, a breach at its due, each once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery
from dutydesk.sla.models import BreachAction, BusinessCalendar, Policy, PolicyTarget, SlaMark
from dutydesk.sla.sweep import sla_sweep
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import EventKind, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_assign, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
SATURDAY_3AM = datetime(2027, 3, 13, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return SATURDAY_3AM + timedelta(minutes=minutes)


def open_ticket(organization, sender: str, priority: str) -> Ticket:
    return ingest(inbound(organization=organization, sender_email=sender, priority=priority)).ticket


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def marks(ticket: Ticket) -> list[tuple[str, str]]:
    return list(SlaMark.objects.filter(ticket=ticket).values_list("target", "level"))


def sla_deliveries(kind: str) -> list[str]:
    return sorted(Delivery.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def p1(acme, anna):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        return open_ticket(acme, "anna@acme.test", "P1")


def set_breach_action(action: str) -> None:
    Policy.objects.filter(is_default=True).update(breach_action=action)


def no_wait_limit() -> None:
    """Keep the seed-004 wait limit out of a test about the other clocks."""
    Policy.objects.update(unanswered_minutes=100_000)


# --- scheduling -------------------------------------------------------------------------


def test_a_new_ticket_is_next_checked_at_75_percent_of_its_first_response(p1):
    assert reload(p1).sla_next_check_at == at(11.25)


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_business_time_puts_a_saturday_warning_on_monday(globex, gina):
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.save()
    ticket = open_ticket(globex, "gina@globex.test", "P1")

    # 30 working minutes from Monday 09:00 Moscow: 75 % is 09:22:30.
    assert reload(ticket).sla_next_check_at == datetime(2027, 3, 15, 9, 22, 30, tzinfo=MOSCOW)
    assert sla_sweep(now=datetime(2027, 3, 14, 23, 0, tzinfo=MOSCOW)) == 0
    assert sla_sweep(now=datetime(2027, 3, 15, 9, 22, 30, tzinfo=MOSCOW)) == 1
    assert marks(ticket) == [("first_response", "warn_first")]


def test_nothing_due_makes_nothing(p1):
    assert sla_sweep(now=at(11)) == 0
    assert not SlaMark.objects.exists()


# --- warnings and the breach --------------------------------------------------------------


def test_first_response_warns_twice_then_breaches_each_once(p1, l1_agent, supervisor):
    ticket_assign(ticket=p1, assignee=l1_agent, by=l1_agent)

    assert sla_sweep(now=at(11.25)) == 1
    assert marks(p1) == [("first_response", "warn_first")]
    assert sla_deliveries("sla_warning") == ["lena@support.test"]
    event = p1.events.get(kind=EventKind.SLA_WARNING)
    assert (event.new_value, event.data["level"]) == ("first_response", "warn_first")
    assert reload(p1).sla_next_check_at == at(13.5)

    assert sla_sweep(now=at(13.5)) == 1
    assert marks(p1)[-1] == ("first_response", "warn_second")
    assert reload(p1).sla_next_check_at == at(15)

    assert sla_sweep(now=at(15)) == 1
    assert marks(p1)[-1] == ("first_response", "breach")
    assert p1.events.filter(kind=EventKind.SLA_BREACH).count() == 1
    assert sla_deliveries("sla_breach") == ["l1@support.test", "sveta@support.test"]
    # Next: the client's message has waited the policy's 30 minutes without an answer.
    assert reload(p1).sla_next_check_at == at(30)

    assert sla_sweep(now=at(15)) == 0
    assert sla_sweep(now=at(16)) == 0
    assert SlaMark.objects.count() == 3
    assert Delivery.objects.filter(kind__startswith="sla_").count() == 4


def test_an_unassigned_ticket_warns_its_team(p1):
    sla_sweep(now=at(11.25))

    assert sla_deliveries("sla_warning") == ["l1@support.test"]


def test_a_late_sweep_marks_every_level_passed_but_sends_one_notice(p1, supervisor):
    assert sla_sweep(now=at(20)) == 3

    assert {level for _target, level in marks(p1)} == {"warn_first", "warn_second", "breach"}
    assert sla_deliveries("sla_warning") == []
    assert sla_deliveries("sla_breach") == ["l1@support.test", "sveta@support.test"]


def test_a_reply_before_the_due_stops_the_first_response_checks(p1, l1_agent):
    with time_machine.travel(at(12), tick=False):
        ticket_reply(ticket=p1, by=l1_agent, body="Looking at it now.")

    assert reload(p1).sla_next_check_at == at(180)
    assert sla_sweep(now=at(20)) == 0
    assert not SlaMark.objects.filter(level="breach").exists()


def test_a_new_next_response_cycle_warns_again(p1, l1_agent):
    no_wait_limit()
    with time_machine.travel(at(5), tick=False) as traveller:
        ticket_reply(ticket=p1, by=l1_agent, body="Restart the router.")
        traveller.move_to(at(10))
        ingest(inbound(ticket_number=p1.number, subject="", body_text="Still down."))
        # Next response on P1 is 60 minutes: 75 % after 45.
        assert reload(p1).sla_next_check_at == at(55)
        assert sla_sweep(now=at(55)) == 1
        traveller.move_to(at(60))
        ticket_reply(ticket=reload(p1), by=l1_agent, body="Replacing it.")
        traveller.move_to(at(70))
        ingest(inbound(ticket_number=p1.number, subject="", body_text="Thanks, and now?"))

    assert reload(p1).sla_next_check_at == at(115)
    assert sla_sweep(now=at(115)) == 1
    assert marks(p1) == [("next_response", "warn_first")] * 2


def test_pending_pauses_the_resolution_checks(p1, l1_agent):
    with time_machine.travel(at(5), tick=False):
        ticket_reply(ticket=p1, by=l1_agent, body="Please send the logs.")
        ticket_update(ticket=p1, by=l1_agent, status=Status.PENDING)

    assert reload(p1).sla_next_check_at is None
    assert sla_sweep(now=at(300)) == 0

    with time_machine.travel(at(65), tick=False):
        ticket_update(ticket=p1, by=l1_agent, status=Status.OPEN)
    # One hour paused: 75 % of 4 hours lands an hour later.
    assert reload(p1).sla_next_check_at == at(240)


def test_a_resolved_ticket_is_not_checked(p1, l1_agent):
    with time_machine.travel(at(5), tick=False):
        ticket_reply(ticket=p1, by=l1_agent, body="Fixed.")
        ticket_update(ticket=p1, by=l1_agent, status=Status.RESOLVED)

    assert reload(p1).sla_next_check_at is None


# --- breach actions ---------------------------------------------------------------------


def test_a_breach_raises_the_priority_when_the_policy_says_so(acme, anna):
    set_breach_action(BreachAction.RAISE_PRIORITY)
    no_wait_limit()
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = open_ticket(acme, "anna@acme.test", "P3")

    assert sla_sweep(now=at(240)) == 3
    ticket = reload(ticket)
    assert ticket.priority == "P2"
    assert ticket.first_response_due == at(60)  # recomputed with P2's target
    assert ticket.sla_next_check_at <= at(240)  # P2's due has passed too: the next sweep
    event = ticket.events.get(kind=EventKind.PRIORITY)
    assert (event.old_value, event.new_value, event.actor) == ("P3", "P2", None)
    assert AuditLog.objects.filter(action="ticket.sla_priority_raised").count() == 1

    # The raised ticket's new due has passed as well: it is breached and notified, but
    # the action is not repeated, so it does not climb to P1 a minute at a time.
    sla_sweep(now=at(241))
    assert reload(ticket).priority == "P2"
    assert AuditLog.objects.filter(action="ticket.sla_priority_raised").count() == 1


def test_p1_cannot_be_raised_and_is_only_notified(p1):
    set_breach_action(BreachAction.RAISE_PRIORITY)

    sla_sweep(now=at(15))

    assert reload(p1).priority == "P1"
    assert sla_deliveries("sla_breach") == ["l1@support.test"]


def test_a_breach_escalates_to_the_next_tier_when_the_policy_says_so(p1, l2_team):
    set_breach_action(BreachAction.ESCALATE)

    sla_sweep(now=at(15))

    ticket = reload(p1)
    assert (ticket.team, ticket.tier) == (l2_team, "L2")
    assert ticket.events.filter(kind=EventKind.TEAM).count() == 1
    assert AuditLog.objects.filter(action="ticket.sla_escalated").count() == 1


def test_escalation_with_no_next_tier_only_notifies(acme, anna, l1_team):
    set_breach_action(BreachAction.ESCALATE)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = open_ticket(acme, "anna@acme.test", "P1")

    sla_sweep(now=at(15))

    assert reload(ticket).team == l1_team
    assert sla_deliveries("sla_breach") == ["l1@support.test"]


# --- bad rows and concurrency -------------------------------------------------------------


def test_a_broken_row_is_skipped_and_the_others_processed(acme, anna, caplog):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        broken = open_ticket(acme, "anna@acme.test", "P1")
        healthy = open_ticket(acme, "anna@acme.test", "P1")
    # A calendar saved around the checks, with no working time: it cannot measure.
    calendar = BusinessCalendar.objects.create(name="Broken", slug="broken")
    policy = Policy.objects.create(name="Broken", slug="broken", calendar=calendar)
    PolicyTarget.objects.create(
        policy=policy,
        priority="P1",
        first_response_minutes=15,
        next_response_minutes=60,
        resolution_minutes=240,
    )
    Ticket.objects.filter(pk=broken.pk).update(sla_policy=policy)

    assert sla_sweep(now=at(11.25)) == 1

    assert marks(healthy) == [("first_response", "warn_first")]
    assert marks(broken) == []
    assert reload(broken).sla_next_check_at == at(11.25) + timedelta(hours=1)
    assert f"SLA sweep skipped ticket {broken.pk}" in caplog.text


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_mark_each_level_once(acme, anna, supervisor):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        tickets = [open_ticket(acme, "anna@acme.test", "P1") for _ in range(20)]
    barrier = threading.Barrier(2)
    made: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            made.append(sla_sweep(now=at(15), limit=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(made) == SlaMark.objects.count() == 3 * len(tickets)
    assert Delivery.objects.filter(kind="sla_breach").count() == 2 * len(tickets)
