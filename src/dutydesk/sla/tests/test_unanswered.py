"""Seed 004: no client message waits longer than the policy's limit (30 minutes by default,
on the policy's calendar), whatever the priority; the person on duty is alerted once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from dutydesk.api.tests.client import api_client
from dutydesk.notify.models import Delivery
from dutydesk.sla import paging
from dutydesk.sla.models import BreachAction, Policy, SlaMark
from dutydesk.sla.sweep import sla_sweep
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import EventKind, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_assign, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
SATURDAY_3AM = datetime(2027, 3, 13, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return SATURDAY_3AM + timedelta(minutes=minutes)


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def alerts() -> list[str]:
    return list(
        Delivery.objects.filter(kind="sla_unanswered")
        .order_by("pk")
        .values_list("recipient", flat=True)
    )


def unanswered_marks(ticket: Ticket) -> list[datetime]:
    return list(
        SlaMark.objects.filter(ticket=ticket, target="unanswered").values_list("due", flat=True)
    )


def open_ticket(organization, sender: str = "anna@acme.test", priority: str = "P4") -> Ticket:
    return ingest(inbound(organization=organization, sender_email=sender, priority=priority)).ticket


def client_writes(ticket: Ticket, text: str = "Any news?") -> None:
    ingest(inbound(ticket_number=ticket.number, subject="", body_text=text))


@pytest.fixture
def p4(acme, anna):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        return open_ticket(acme)


@pytest.fixture
def pager():
    """A stand-in for the on-call app's pager; records its calls."""
    calls: list[dict] = []
    answer = {"paged": True}

    def page_open(*, ticket: Ticket, reason: str, due: datetime) -> bool:
        calls.append({"ticket": ticket.number, "reason": reason, "due": due})
        if answer.get("raise"):
            raise RuntimeError("pager down")
        return answer["paged"]

    paging.pager_register(page_open)
    yield calls, answer
    paging.pager_unregister()


# --- the due ------------------------------------------------------------------------------


def test_a_new_ticket_of_any_priority_may_wait_30_minutes(p4):
    ticket = reload(p4)
    assert ticket.unanswered_due == at(30)
    # P4's first response is hours away: the wait limit is the first thing checked.
    assert ticket.sla_next_check_at == at(30)


def test_the_limit_is_per_policy(acme, anna):
    Policy.objects.filter(is_default=True).update(unanswered_minutes=10)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        assert reload(open_ticket(acme)).unanswered_due == at(10)


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_the_limit_runs_on_the_policys_calendar(globex, gina):
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.save()

    ticket = reload(open_ticket(globex, "gina@globex.test"))

    assert ticket.unanswered_due == datetime(2027, 3, 15, 9, 30, tzinfo=MOSCOW)


def test_a_public_reply_clears_the_wait_and_an_internal_note_does_not(p4, l1_agent):
    with time_machine.travel(at(5), tick=False):
        ticket_reply(ticket=p4, by=l1_agent, body="Checking with the team.", internal=True)
        assert reload(p4).unanswered_due == at(30)
        ticket_reply(ticket=p4, by=l1_agent, body="We are on it.")

    assert reload(p4).unanswered_due is None
    assert sla_sweep(now=at(31)) == 0
    assert alerts() == []


def test_a_client_message_after_the_reply_starts_a_new_wait(p4, l1_agent):
    with time_machine.travel(at(5), tick=False) as traveller:
        ticket_reply(ticket=p4, by=l1_agent, body="Please send the logs.")
        traveller.move_to(at(20))
        client_writes(p4, "Logs attached.")
        traveller.move_to(at(25))
        client_writes(p4, "And one more thing.")

    # The older unanswered message sets the due; the second does not push it back.
    assert reload(p4).unanswered_due == at(50)


def test_resolving_clears_the_wait(p4, l1_agent):
    ticket_update(ticket=p4, by=l1_agent, status=Status.RESOLVED)

    assert reload(p4).unanswered_due is None


# --- the alert ------------------------------------------------------------------------------


def test_the_sweep_alerts_the_assignee_once(p4, l1_agent):
    ticket_assign(ticket=p4, assignee=l1_agent, by=l1_agent)

    assert sla_sweep(now=at(29)) == 0
    assert sla_sweep(now=at(30)) == 1
    assert sla_sweep(now=at(31)) == 0
    assert sla_sweep(now=at(45)) == 0

    assert alerts() == ["lena@support.test"]
    assert unanswered_marks(p4) == [at(30)]
    event = p4.events.get(kind=EventKind.SLA_UNANSWERED)
    assert event.data == {"due": at(30).isoformat(), "paged": False}
    # Still shown as overdue until somebody answers.
    assert reload(p4).unanswered_due == at(30)


def test_an_unassigned_ticket_alerts_its_team(p4):
    sla_sweep(now=at(30))

    assert alerts() == ["l1@support.test"]
    body = Delivery.objects.get(kind="sla_unanswered").body
    assert "Contact the client now" in body and p4.reference in body


def test_each_unanswered_message_alerts_once(p4):
    sla_sweep(now=at(30))
    with time_machine.travel(at(40), tick=False):
        client_writes(p4, "Hello? Anyone?")

    assert reload(p4).unanswered_due == at(70)
    assert sla_sweep(now=at(69)) == 0
    assert sla_sweep(now=at(70)) == 1
    assert sla_sweep(now=at(71)) == 0
    assert unanswered_marks(p4) == [at(30), at(70)]
    assert len(alerts()) == 2


def test_a_message_while_an_alert_is_pending_adds_no_second_alert(p4):
    with time_machine.travel(at(31), tick=False):  # overdue, the sweep has not run yet
        client_writes(p4, "Still waiting.")

    assert reload(p4).unanswered_due == at(30)
    assert sla_sweep(now=at(32)) == 1
    assert len(alerts()) == 1


def test_a_registered_pager_is_called_instead_of_the_notice(p4, pager):
    calls, _answer = pager

    sla_sweep(now=at(30))

    assert calls == [{"ticket": p4.number, "reason": "unanswered", "due": at(30)}]
    assert alerts() == []
    assert p4.events.get(kind=EventKind.SLA_UNANSWERED).data["paged"] is True


def test_a_pager_that_finds_nobody_falls_back_to_the_notice(p4, pager):
    _calls, answer = pager
    answer["paged"] = False

    sla_sweep(now=at(30))

    assert alerts() == ["l1@support.test"]


def test_a_broken_pager_is_logged_and_the_notice_sent(p4, pager, caplog):
    _calls, answer = pager
    answer["raise"] = True

    assert sla_sweep(now=at(30)) == 1

    assert alerts() == ["l1@support.test"]
    assert "SLA pager failed" in caplog.text


def test_a_pager_named_in_the_settings_is_used(p4, settings):
    settings.SLA_PAGER = "dutydesk.sla.tests.test_unanswered.settings_pager"
    settings_pager_calls.clear()

    sla_sweep(now=at(30))

    assert settings_pager_calls == [(p4.number, "unanswered")]
    assert alerts() == []


settings_pager_calls: list[tuple[int, str]] = []


def settings_pager(*, ticket: Ticket, reason: str, due: datetime) -> bool:
    settings_pager_calls.append((ticket.number, reason))
    return True


def test_a_breach_pages_when_the_policy_says_so(acme, anna, pager, supervisor):
    calls, _answer = pager
    Policy.objects.filter(is_default=True).update(
        breach_action=BreachAction.PAGE, unanswered_minutes=100_000
    )
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = open_ticket(acme, priority="P1")

    sla_sweep(now=at(15))
    sla_sweep(now=at(16))

    assert calls == [{"ticket": ticket.number, "reason": "first_response", "due": at(15)}]
    # The breach notices go out as always.
    assert Delivery.objects.filter(kind="sla_breach").count() == 2


# --- the API --------------------------------------------------------------------------------


def test_the_api_shows_the_wait_and_what_was_breached(p4, supervisor, anna):
    sla_sweep(now=at(30))

    for caller in (supervisor, anna):
        sla = api_client(caller).get(f"/api/v1/tickets/{p4.number}").json()["sla"]
        assert sla["unanswered_due"] == "2027-03-13T03:30:00Z"
        assert sla["breached"] == ["unanswered"]
        listed = api_client(caller).get("/api/v1/tickets").json()["items"][0]["sla"]
        assert listed["breached"] == ["unanswered"]


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_alert_each_waiting_client_once(acme, anna):
    Policy.objects.filter(is_default=True).update(unanswered_minutes=10)
    with time_machine.travel(SATURDAY_3AM, tick=False):
        tickets = [open_ticket(acme) for _ in range(20)]
    barrier = threading.Barrier(2)
    made: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            made.append(sla_sweep(now=at(10), limit=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(made) == len(tickets)
    assert SlaMark.objects.filter(target="unanswered").count() == len(tickets)
    assert len(alerts()) == len(tickets)
    assert Ticket.objects.filter(events__kind=EventKind.SLA_UNANSWERED).count() == len(tickets)
