"""A changed contract recomputes the dues of open tickets from the start, keeping the time
they spent paused; resolved tickets keep the dues they were held to."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dutydesk.sla.models import BusinessCalendar, Policy, PolicyTarget, WorkingInterval
from dutydesk.sla.recompute import sla_recompute_open
from dutydesk.sla.services import SLA_FIELDS, calendar_save
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.models import Status, Ticket
from dutydesk.tickets.services import ingest, ticket_update

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=MOSCOW)


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def clocks(ticket: Ticket) -> dict:
    ticket = reload(ticket)
    return {field: getattr(ticket, field) for field in SLA_FIELDS}


@pytest.fixture
def paused_two_hours(globex, gina, l2_agent):
    """A P1 of globex on the default 24/7 contract, pending from 11:00 to 13:00 Monday."""
    with time_machine.travel(moscow(15, 10), tick=False) as traveller:
        ticket = ingest(
            inbound(organization=globex, sender_email="gina@globex.test", priority="P1")
        ).ticket
        traveller.move_to(moscow(15, 11))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.PENDING)
        traveller.move_to(moscow(15, 13))
        ticket_update(ticket=ticket, by=l2_agent, status=Status.OPEN)
    ticket = reload(ticket)
    assert ticket.sla_policy.slug == "standard-24x7"
    assert ticket.resolution_due == moscow(15, 16)  # 4 h + 2 h paused
    return ticket


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@support.test", role="admin", is_superuser=True)


def test_a_new_contract_recomputes_open_tickets_keeping_paused_time(
    paused_two_hours, globex, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(moscow(15, 13, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        globex.sla_policy = Policy.objects.get(slug="business-moscow")
        globex.save()

    ticket = reload(paused_two_hours)
    assert ticket.sla_policy.slug == "business-moscow"
    assert ticket.first_response_due == moscow(15, 10, 30)
    assert ticket.unanswered_due == moscow(15, 10, 30)
    # 8 working hours plus the 2 paused, from Monday 10:00: Tuesday 11:00.
    assert ticket.resolution_due == moscow(16, 11)
    assert ticket.resolution_paused.total_seconds() == 2 * 3600


def test_recomputing_twice_changes_nothing_more(paused_two_hours, globex):
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.save()
    events = paused_two_hours.events.count()

    assert sla_recompute_open(organization_ids=[globex.pk]) == 1
    first = clocks(paused_two_hours)
    assert sla_recompute_open(organization_ids=[globex.pk]) == 1

    assert clocks(paused_two_hours) == first
    assert paused_two_hours.events.count() == events


def test_an_unchanged_organisation_save_recomputes_nothing(
    paused_two_hours, globex, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        globex.name = "Globex Corporation"
        globex.save()

    assert callbacks == []


def test_resolved_tickets_keep_their_dues(paused_two_hours, globex, l2_agent):
    with time_machine.travel(moscow(15, 14), tick=False):
        ticket_update(ticket=paused_two_hours, by=l2_agent, status=Status.RESOLVED)
    before = clocks(paused_two_hours)
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.save()

    assert sla_recompute_open(organization_ids=[globex.pk]) == 0
    assert clocks(paused_two_hours) == before


def policy_form(policy: Policy, changes: dict[int, dict]) -> dict:
    data = {
        "name": policy.name,
        "slug": policy.slug,
        "calendar": policy.calendar_id,
        "is_default": "on" if policy.is_default else "",
        "warn_first": policy.warn_first,
        "warn_second": policy.warn_second,
        "unanswered_minutes": policy.unanswered_minutes,
        "breach_action": policy.breach_action,
        "targets-TOTAL_FORMS": 4,
        "targets-INITIAL_FORMS": 4,
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 4,
    }
    if not data["is_default"]:
        del data["is_default"]
    for n, target in enumerate(policy.targets.order_by("priority")):
        data |= {
            f"targets-{n}-id": target.pk,
            f"targets-{n}-policy": policy.pk,
            f"targets-{n}-priority": target.priority,
            f"targets-{n}-first_response_minutes": target.first_response_minutes,
            f"targets-{n}-next_response_minutes": target.next_response_minutes,
            f"targets-{n}-resolution_minutes": target.resolution_minutes,
        }
        data |= {f"targets-{n}-{key}": value for key, value in changes.get(n, {}).items()}
    return data


def test_changing_a_policys_targets_in_the_admin_recomputes(
    client, admin_user, paused_two_hours, django_capture_on_commit_callbacks
):
    policy = Policy.objects.get(slug="standard-24x7")
    client.force_login(admin_user)
    url = reverse("admin:sla_policy_change", args=[policy.pk])
    with django_capture_on_commit_callbacks(execute=True):  # now: the session is fresh
        response = client.post(url, policy_form(policy, {0: {"resolution_minutes": 120}}))

    assert response.status_code == 302, response.content
    assert PolicyTarget.objects.get(policy=policy, priority="P1").resolution_minutes == 120
    assert reload(paused_two_hours).resolution_due == moscow(15, 14)  # 2 h + 2 h paused


def test_changing_a_calendar_recomputes_the_tickets_measured_on_it(
    paused_two_hours, globex, admin_user, django_capture_on_commit_callbacks
):
    globex.sla_policy = Policy.objects.get(slug="business-moscow")
    globex.save()
    sla_recompute_open(organization_ids=[globex.pk])
    calendar = BusinessCalendar.objects.get(slug="moscow-office")
    # Office hours now start at 10:00 on weekdays.
    intervals = [WorkingInterval(weekday=day, start=time(10), end=time(18)) for day in range(5)]
    with (
        time_machine.travel(moscow(15, 13, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        calendar_save(calendar=calendar, intervals=intervals, days=[], by=admin_user)

    ticket = reload(paused_two_hours)
    # From Monday 10:00, 8 working hours a day: 8 + 2 paused ends Tuesday 12:00.
    assert ticket.resolution_due == moscow(16, 12)
