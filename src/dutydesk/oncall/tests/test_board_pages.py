"""The workspace's page list, page detail and its Acknowledge/Resolve buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from dutydesk.accounts.models import Role
from dutydesk.oncall.models import Page, PageStatus
from dutydesk.oncall.paging import page_if_urgent
from dutydesk.oncall.sweep import pages_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import TeamFactory, UserFactory, inbound
from dutydesk.tickets.models import Priority, TicketType
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


def p1_page(subject="Disk /var is 95% full on db-1", **fields):
    ticket = ingest(
        inbound(priority=Priority.P1, type=TicketType.INCIDENT, subject=subject, **fields)
    ).ticket
    return page_if_urgent(ticket=ticket)


@pytest.fixture
def page(anna, l1_policy):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        found = p1_page()
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=5), tick=False):
        pages_sweep()  # step 2: L2 is paged
    return found


@pytest.mark.parametrize(
    "url", ["oncall-pages", "oncall-now", "oncall-my-shifts", "oncall-policies", "oncall-handovers"]
)
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "url", ["oncall-pages", "oncall-now", "oncall-my-shifts", "oncall-policies", "oncall-handovers"]
)
def test_a_customer_is_refused(client, anna, url):
    client.force_login(anna)
    assert client.get(reverse(url)).status_code == 403


def test_a_customer_cannot_see_or_acknowledge_a_page(client, anna, page):
    client.force_login(anna)
    assert client.get(reverse("oncall-page", args=[page.pk])).status_code == 403
    assert client.post(reverse("oncall-page-ack", args=[page.pk])).status_code == 403
    assert Page.objects.get(pk=page.pk).status == PageStatus.OPEN


def test_an_agent_of_another_team_gets_404(client, gina, page):
    # The page is of an L1 ticket; an L2 agent who was not paged does not see L1's queue.
    third_line = TeamFactory(slug="l3", name="Third line")
    other = UserFactory(email="olga@support.test", role=Role.AGENT, teams=[third_line])
    client.force_login(other)
    assert client.get(reverse("oncall-page", args=[page.pk])).status_code == 404
    assert client.post(reverse("oncall-page-ack", args=[page.pk])).status_code == 404
    assert Page.objects.get(pk=page.pk).status == PageStatus.OPEN
    assert page.ticket.reference not in client.get(reverse("oncall-pages")).content.decode()


def test_a_paged_engineer_of_another_team_sees_the_page_and_acknowledges(client, l2_agent, page):
    # L2 was paged by step 2 for an L1 ticket: the link in the message must work.
    client.force_login(l2_agent)
    assert client.get(reverse("oncall-page", args=[page.pk])).status_code == 200
    assert page.ticket.subject in client.get(reverse("oncall-pages")).content.decode()
    client.post(reverse("oncall-page-ack", args=[page.pk]))
    page.ticket.refresh_from_db()
    assert page.ticket.assignee == l2_agent
    # The ticket is theirs now, so the ticket page opens too.
    assert client.get(reverse("desk:ticket", args=[page.ticket.number])).status_code == 200


def test_the_list_shows_open_pages_and_filters(client, l1_agent, page):
    client.force_login(l1_agent)
    body = client.get(reverse("oncall-pages")).content.decode()
    assert "Disk /var is 95% full on db-1" in body
    assert reverse("oncall-page", args=[page.pk]) in body
    resolved = client.get(reverse("oncall-pages") + "?status=resolved").content.decode()
    assert "Disk /var" not in resolved
    other_team = client.get(reverse("oncall-pages") + "?team=l2").content.decode()
    assert "Disk /var" not in other_team
    # Nonsense filters fall back to the defaults instead of failing.
    assert client.get(reverse("oncall-pages") + "?status=bogus&page=x").status_code == 200


def test_the_list_costs_the_same_queries_for_many_pages(
    client, supervisor, anna, l1_policy, django_assert_max_num_queries
):
    client.force_login(supervisor)
    p1_page("first")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("oncall-pages"))
    for n in range(8):
        p1_page(f"outage {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("oncall-pages") + "?status=all")
    assert response.content.decode().count('class="subject"') == 9


def test_the_detail_shows_the_escalation_steps(client, l1_agent, page):
    client.force_login(l1_agent)
    response = client.get(reverse("oncall-page", args=[page.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Step 1" in body and "Step 2" in body
    assert "Nik" in body and "Oleg" in body  # the night on-call, then L2
    assert reverse("oncall-page-ack", args=[page.pk]) in body


def test_acknowledge_stops_the_chain_and_gives_the_ticket(client, l1_agent, page):
    client.force_login(l1_agent)
    response = client.post(reverse("oncall-page-ack", args=[page.pk]), follow=True)
    assert response.status_code == 200
    found = Page.objects.get(pk=page.pk)
    assert found.status == PageStatus.ACKNOWLEDGED and found.acknowledged_by == l1_agent
    assert found.next_step_at is None
    found.ticket.refresh_from_db()
    assert found.ticket.assignee == l1_agent
    assert "Acknowledged" in response.content.decode()


def test_resolve_closes_the_page(client, l1_agent, page):
    client.force_login(l1_agent)
    client.post(reverse("oncall-page-resolve", args=[page.pk]))
    assert Page.objects.get(pk=page.pk).status == PageStatus.RESOLVED
    body = client.get(reverse("oncall-page", args=[page.pk])).content.decode()
    assert reverse("oncall-page-ack", args=[page.pk]) not in body


def test_acknowledge_needs_post(client, l1_agent, page):
    client.force_login(l1_agent)
    assert client.get(reverse("oncall-page-ack", args=[page.pk])).status_code == 405


def test_acknowledge_checks_csrf(l1_agent, page):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(l1_agent)
    assert browser.post(reverse("oncall-page-ack", args=[page.pk])).status_code == 403
    assert Page.objects.get(pk=page.pk).status == PageStatus.OPEN


def test_the_ticket_header_links_to_its_live_page(client, l1_agent, page):
    client.force_login(l1_agent)
    ticket_url = reverse("desk:ticket", args=[page.ticket.number])
    assert reverse("oncall-page", args=[page.pk]) in client.get(ticket_url).content.decode()
    client.post(reverse("oncall-page-resolve", args=[page.pk]))
    assert reverse("oncall-page", args=[page.pk]) not in client.get(ticket_url).content.decode()
