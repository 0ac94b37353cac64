import re

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from dutydesk.accounts.models import Organization, User
from dutydesk.demo import DEMO_LOGINS, seed_demo
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.tickets.models import Message, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def demo():
    return seed_demo()


def test_demo_has_clients_in_both_languages_tickets_in_every_status_and_each_workflow(demo):
    assert Organization.objects.filter(slug__in=["acme", "globex"]).count() == 2
    assert Ticket.objects.count() >= 30
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    russian = Ticket.objects.filter(organization__language="ru")
    assert russian.count() >= 10
    assert all(CYRILLIC.search(subject) for subject in russian.values_list("subject", flat=True))
    # the workflows a visitor should be able to look at
    assert Ticket.objects.filter(tier="L2").exists()
    assert Ticket.objects.filter(tier="L3").exists()
    assert Ticket.objects.filter(merged_into__isnull=False).exists()
    assert Ticket.objects.filter(related__isnull=False).exists()
    assert Ticket.objects.filter(reopen_count__gt=0, status=Status.OPEN).exists()
    assert Ticket.objects.filter(follow_up_of__isnull=False).exists()


def test_every_demo_login_can_sign_in(demo):
    assert demo == DEMO_LOGINS
    for _role, email, password in demo:
        assert authenticate(username=email, password=password) is not None, email
    assert User.objects.get(email="admin@dutydesk.local").is_superuser


def test_demo_history_spreads_over_the_past_month_and_sends_nothing(demo):
    now = timezone.now()
    created = list(Ticket.objects.order_by("number").values_list("created_at", flat=True))
    assert created == sorted(created)  # numbers follow the creation time
    assert now - created[0] > timezone.timedelta(days=25)
    for model in (Ticket, Message, TicketEvent):
        assert not model.objects.filter(created_at__gt=now).exists()
    assert not Delivery.objects.exclude(status=DeliveryStatus.CANCELLED).exists()
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {"demo data: not sent"}


def test_seeding_again_adds_nothing(demo):
    counts = [model.objects.count() for model in (Organization, User, Ticket, Message, Delivery)]

    assert seed_demo() == DEMO_LOGINS

    assert [m.objects.count() for m in (Organization, User, Ticket, Message, Delivery)] == counts


def test_every_demo_team_has_someone_on_call_and_acme_is_watched(demo):
    from dutydesk.monitoring.models import Check
    from dutydesk.oncall.models import Schedule
    from dutydesk.oncall.selectors import on_call_now

    for schedule in Schedule.objects.select_related("team"):
        assert on_call_now(schedule) is not None, schedule.team.slug
    assert Schedule.objects.count() >= 2
    assert set(Check.objects.filter(organization__slug="acme").values_list("kind", flat=True)) == {
        "http",
        "heartbeat",
    }
