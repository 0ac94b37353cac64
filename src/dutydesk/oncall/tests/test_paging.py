"""Pages: the 3 a.m. scenario, restarts, duplicate sweeps, acknowledgement races, links."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dutydesk.accounts.models import Role
from dutydesk.channels.alerts.services.integrations import integration_create
from dutydesk.channels.alerts.tests.test_alertmanager_intake import firing
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.oncall.models import (
    EscalationPolicy,
    EscalationStep,
    Page,
    PageStatus,
    ShiftReport,
    Target,
)
from dutydesk.oncall.paging import (
    EVENT_PAGE_ACK,
    EVENT_PAGED,
    ack_token,
    ack_token_read,
    page_acknowledge,
    page_button_pressed,
    page_if_urgent,
    page_open,
    page_resolve,
)
from dutydesk.oncall.shifts import shift_note_set, shift_reports_sweep
from dutydesk.oncall.sweep import page_step_if_due, pages_sweep
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.models import Priority, TicketEvent, TicketType
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


def p1(anna, **fields):
    ticket = ingest(inbound(priority=Priority.P1, type=TicketType.INCIDENT, **fields)).ticket
    assert ticket.priority == Priority.P1 and ticket.team is not None
    return ticket


def telegram_chats(page):
    return [
        d.payload["chat_id"]
        for d in Delivery.objects.filter(
            ticket=page.ticket, channel="telegram", kind="page"
        ).order_by("pk")
    ]


def test_the_3am_scenario_from_page_to_handover(anna, l1_policy, night_agent, l2_agent):
    with time_machine.travel(SATURDAY_3AM - timedelta(hours=1), tick=False):
        shift_reports_sweep()  # plans the night shift's row
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = p1(anna, subject="Disk /var is 95% full on db-1")
        page = page_if_urgent(ticket=ticket)
        assert page is not None and page.team == ticket.team
        assert telegram_chats(page) == ["1001"]  # the night on-call of L1
        buttons = Delivery.objects.get(recipient="1001").payload["buttons"]
        assert buttons[0] == {"text": "Acknowledge", "action": "page_ack", "ref": str(page.pk)}
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=4), tick=False):
        assert pages_sweep() == 0  # not yet due
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=5), tick=False):
        assert pages_sweep() == 1
        assert telegram_chats(page) == ["1001", "2002"]  # L2 is paged
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=7), tick=False):
        page_button_pressed(user=l2_agent, action="page_ack", ref=str(page.pk))
        acked = Page.objects.get(pk=page.pk)
        assert acked.status == PageStatus.ACKNOWLEDGED and acked.acknowledged_by == l2_agent
        ticket.refresh_from_db()
        assert ticket.assignee == l2_agent
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=30), tick=False):
        assert pages_sweep() == 0
        assert len(telegram_chats(page)) == 2  # the escalation stopped
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds.count(EVENT_PAGED) == 2 and EVENT_PAGE_ACK in kinds
    assert AuditLog.objects.filter(action="page.acknowledged", object_id=str(page.pk)).exists()
    with time_machine.travel(SATURDAY_3AM.replace(hour=8), tick=False):
        shift_note_set(
            report=ShiftReport.objects.get(user=night_agent, starts_at__lt=SATURDAY_3AM),
            by=night_agent,
            note="db-1 disk: L2 cleaning logs",
        )
        shift_reports_sweep()
    report = ShiftReport.objects.get(user=night_agent, handover_sent_at__isnull=False)
    assert [t["ticket"] for t in report.handover["opened"]] == [ticket.number]
    assert report.handover["pages"][0]["response_seconds"] == 7 * 60
    assert report.handover["note"] == "db-1 disk: L2 cleaning logs"
    assert report.next_user is not None  # the day on-call
    assert Delivery.objects.filter(kind="shift_handover", recipient=report.next_user.email).exists()


def test_a_sweep_after_a_lost_fast_path_task_still_escalates(anna, l1_policy):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        page = page_open(ticket=p1(anna), reason="urgent")
    # The Huey task scheduled for 03:05 vanished with a restarted worker; the column stayed.
    with time_machine.travel(SATURDAY_3AM + timedelta(hours=1), tick=False):
        assert pages_sweep() == 1
    assert telegram_chats(page) == ["1001", "2002"]


def test_duplicate_sweeps_and_fast_path_page_once(anna, l1_policy):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        page = page_open(ticket=p1(anna), reason="urgent")
    with time_machine.travel(SATURDAY_3AM + timedelta(minutes=5), tick=False):
        assert pages_sweep() == 1
        assert pages_sweep() == 0
        assert page_step_if_due(page.pk) is False
    assert len(telegram_chats(page)) == 2


def test_the_chain_repeats_then_reminds_until_someone_acts(anna, l1_policy, supervisor):
    with time_machine.travel(SATURDAY_3AM, tick=False) as clock:
        page = page_open(ticket=p1(anna), reason="urgent")
        for _ in range(5):  # sweeps at 03:10, 03:20, 03:30, 03:40, 03:50
            clock.shift(timedelta(minutes=10))
            pages_sweep()
        page.refresh_from_db()
        # L1, L2, L1, L2 (repeat=1), then at 03:40 a reminder to L2 and the L1 team.
        assert telegram_chats(page) == ["1001", "2002", "1001", "2002", "2002", "1001"]
        last = page.notifications.filter(fallback=True).values_list("user__email", flat=True)
        assert {"oleg@support.test", "lena@support.test", "nik@support.test"} <= set(last)
        assert page.next_step_at == SATURDAY_3AM + timedelta(minutes=55)
        page_acknowledge(page=page, by=l1_policy.team.members.first())
        clock.shift(timedelta(hours=1))
        assert pages_sweep() == 0


def test_page_open_is_idempotent_per_ticket_and_reason(anna, l1_policy):
    ticket = p1(anna)
    first = page_open(ticket=ticket, reason="urgent")
    assert page_open(ticket=ticket, reason="urgent") == first
    other = page_open(ticket=ticket, reason="sla_breach")
    assert other != first
    page_resolve(page=first, by=None)
    assert page_open(ticket=ticket, reason="urgent") != first


def test_second_acknowledgement_changes_nothing(anna, l1_policy, l1_agent, l2_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    page_acknowledge(page=page, by=l2_agent)
    again = page_acknowledge(page=page, by=l1_agent)
    assert again.acknowledged_by == l2_agent
    page.ticket.refresh_from_db()
    assert page.ticket.assignee == l2_agent
    assert TicketEvent.objects.filter(ticket=page.ticket, kind=EVENT_PAGE_ACK).count() == 1


def test_acknowledging_cancels_unsent_notifications(anna, l1_policy, l2_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    Delivery.objects.filter(ticket=page.ticket, kind="page").update(status=DeliveryStatus.PENDING)
    page_acknowledge(page=page, by=l2_agent)
    statuses = set(Delivery.objects.filter(kind="page").values_list("status", flat=True))
    assert statuses == {DeliveryStatus.CANCELLED}


def test_nobody_on_call_pages_the_fallback(anna, l1_team, l1_agent, supervisor):
    EscalationPolicy.objects.create(team=l1_team, name="empty", fallback="supervisors")
    page = page_open(ticket=p1(anna), reason="urgent")
    assert list(page.notifications.values_list("user__email", "fallback")) == [
        ("sveta@support.test", True)
    ]


def test_a_team_without_policy_pages_its_members(anna, l1_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    assert page.policy is None
    assert list(page.notifications.values_list("user", flat=True)) == [l1_agent.pk]


def test_email_link_acknowledges_only_on_post(anna, l1_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    mail = Delivery.objects.get(kind="page", recipient=l1_agent.email)
    # The token carries its signing time, so take the link from the mail itself.
    url = re.search(r"https?://[^/\s]+(/oncall/ack/\S+)", mail.body).group(1)
    assert ack_token_read(url.rsplit("/", 1)[-1]) == (page.pk, l1_agent.pk)
    client = Client()
    response = client.get(url)
    assert response.status_code == 200 and b"<form" in response.content
    page.refresh_from_db()
    assert page.status == PageStatus.OPEN
    assert client.post(url).status_code == 200
    page.refresh_from_db()
    assert page.status == PageStatus.ACKNOWLEDGED and page.acknowledged_by == l1_agent
    assert b"<form" not in client.post(url).content  # used once; nothing more happens


def test_a_forged_or_expired_link_is_refused(anna, l1_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    assert Client().get(reverse("oncall-ack", args=["nonsense"])).status_code == 404
    token = ack_token(page, l1_agent)
    with time_machine.travel(timedelta(days=2)):
        assert Client().post(reverse("oncall-ack", args=[token])).status_code == 404
    page.refresh_from_db()
    assert page.status == PageStatus.OPEN


def test_a_customer_cannot_acknowledge(anna, l1_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    with pytest.raises(Exception, match="staff"):
        page_acknowledge(page=page, by=anna)


def test_telegram_resolve_button_resolves_the_page(anna, l1_policy, l1_agent):
    page = page_open(ticket=p1(anna), reason="urgent")
    answer = page_button_pressed(user=l1_agent, action="page_resolve", ref=str(page.pk))
    assert page.ticket.reference in answer
    assert Page.objects.get(pk=page.pk).status == PageStatus.RESOLVED
    with pytest.raises(Page.DoesNotExist):
        page_button_pressed(user=l1_agent, action="page_ack", ref="999999")


def test_only_urgent_incidents_page(anna, l1_agent):
    ticket = ingest(inbound(priority=Priority.P3, type=TicketType.INCIDENT)).ticket
    assert page_if_urgent(ticket=ticket) is None
    assert Page.objects.count() == 0


def test_supervisor_role_is_paged_by_supervisors_step(anna, l1_team):
    from dutydesk.oncall.models import EscalationStep, Target

    boss = UserFactory(email="boss@support.test", role=Role.SUPERVISOR)
    policy = EscalationPolicy.objects.create(team=l1_team, name="p")
    EscalationStep.objects.create(policy=policy, target=Target.SUPERVISORS)
    page = page_open(ticket=p1(anna), reason="urgent")
    assert list(page.notifications.values_list("user", flat=True)) == [boss.pk]


def test_the_link_works_in_a_browser_that_enforces_csrf(anna, l1_agent):
    import re

    page = page_open(ticket=p1(anna), reason="urgent")
    url = reverse("oncall-ack", args=[ack_token(page, l1_agent)])
    browser = Client(enforce_csrf_checks=True)
    form = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    page.refresh_from_db()
    assert page.acknowledged_by == l1_agent


def test_a_webhook_contact_gets_a_json_document(anna, l1_agent):
    from dutydesk.oncall.models import ContactMethod

    ContactMethod.objects.create(user=l1_agent, kind="webhook", address="http://127.0.0.1:9/hook")
    page = page_open(ticket=p1(anna), reason="urgent")
    hook = Delivery.objects.get(channel="webhook", kind="page")
    assert hook.recipient == "http://127.0.0.1:9/hook"
    assert hook.payload["json"]["page"] == page.pk
    assert hook.payload["json"]["ticket"] == page.ticket.number


def test_an_alert_for_the_l2_integration_pages_l2_not_the_routed_team(
    acme, l1_policy, l2_team, l2_schedule
):
    """The integration's team is the ticket's from its first moment, so the page at
    opening goes to that team's policy, not to the organisation's default (L1)."""
    l2_policy = EscalationPolicy.objects.create(team=l2_team, name="L2 paging")
    EscalationStep.objects.create(
        policy=l2_policy, position=0, target=Target.SCHEDULE, schedule=l2_schedule, wait_minutes=5
    )
    _, url = integration_create(
        organization=acme, kind="alertmanager", name="prod", by=None, team=l2_team
    )
    with time_machine.travel(SATURDAY_3AM, tick=False):
        response = Client().post(
            urlsplit(url).path, json.dumps(firing()), content_type="application/json"
        )
    assert response.status_code == 200
    page = Page.objects.get()
    assert (page.team, page.policy, page.ticket.team) == (l2_team, l2_policy, l2_team)
    assert telegram_chats(page) == ["2002"]
