"""Races on PostgreSQL (SQLite serialises writers): two acknowledgements, two sweeps, two
opens of the same page."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from dutydesk.oncall.models import Page, PageNotification, PageStatus
from dutydesk.oncall.paging import page_acknowledge, page_open
from dutydesk.oncall.sweep import pages_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Priority, TicketEvent, TicketType
from dutydesk.tickets.services import ingest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(*jobs: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(job())
        except Exception as exc:  # surfaced through the results
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _ticket():
    return ingest(inbound(priority=Priority.P1, type=TicketType.INCIDENT)).ticket


def test_two_people_acknowledging_at_once_leave_one_owner(anna, l1_policy, l1_agent, l2_agent):
    page = page_open(ticket=_ticket(), reason="urgent")
    results = race(
        lambda: page_acknowledge(page=page, by=l1_agent),
        lambda: page_acknowledge(page=page, by=l2_agent),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    page.refresh_from_db()
    assert page.status == PageStatus.ACKNOWLEDGED
    page.ticket.refresh_from_db()
    assert page.ticket.assignee == page.acknowledged_by
    assert TicketEvent.objects.filter(ticket=page.ticket, kind="page_ack").count() == 1


def test_parallel_sweeps_run_each_step_once(anna, l1_policy):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        pages = [page_open(ticket=_ticket(), reason="urgent") for _ in range(6)]
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=5, seconds=1)):
        results = race(pages_sweep, pages_sweep, pages_sweep)
    assert sum(results) == 6, results
    for page in pages:
        sent = PageNotification.objects.filter(page=page)
        # Email and Telegram to L1's night on-call, then the same two to L2: once each.
        assert sorted(sent.values_list("step_index", "channel")) == [
            (0, "email"),
            (0, "telegram"),
            (1, "email"),
            (1, "telegram"),
        ]


def test_opening_the_same_page_at_once_gives_one_page(anna, l1_policy):
    ticket = _ticket()
    results = race(*[lambda: page_open(ticket=ticket, reason="urgent") for _ in range(3)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Page.objects.filter(ticket=ticket).count() == 1
    assert len({r.pk for r in results}) == 1
