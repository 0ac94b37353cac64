"""The notification preferences of the profile page decide who is emailed."""

import pytest

from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.services import ingest, ticket_assign, ticket_reply

pytestmark = pytest.mark.django_db


def _recipients(kind: str) -> list[str]:
    return list(Delivery.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_client_who_turned_notices_off_gets_no_confirmation(acme, anna):
    anna.notify_email = False
    anna.save()
    ingest(inbound(organization=acme))
    assert _recipients("ticket_confirmation") == []


def test_client_who_turned_notices_off_still_gets_the_answer_to_their_email(acme, anna, l1_agent):
    anna.notify_email = False
    anna.save()
    by_email = ingest(inbound(organization=acme, channel="email")).ticket
    from_portal = ingest(inbound(organization=acme, channel="portal")).ticket

    ticket_reply(ticket=by_email, by=l1_agent, body="Restarted the service.")
    ticket_reply(ticket=from_portal, by=l1_agent, body="Restarted the service.")

    assert Delivery.objects.filter(kind="agent_reply", ticket=by_email).count() == 1
    assert not Delivery.objects.filter(kind="agent_reply", ticket=from_portal).exists()


def test_agent_who_turned_notices_off_is_not_emailed_on_assignment(
    acme, anna, l1_agent, supervisor
):
    l1_agent.notify_email = False
    l1_agent.save()
    ticket = ingest(inbound(organization=acme)).ticket
    ticket_assign(ticket=ticket, assignee=l1_agent, by=supervisor)
    assert _recipients("ticket_assigned") == []


def test_team_without_an_address_is_told_through_members_who_want_the_whole_queue(
    acme, anna, l1_team
):
    l1_team.email = ""
    l1_team.save()
    UserFactory(email="whole@support.test", teams=[l1_team])
    UserFactory(email="mine-only@support.test", teams=[l1_team], notify_assigned_only=True)
    UserFactory(email="quiet@support.test", teams=[l1_team], notify_email=False)

    ingest(inbound(organization=acme))

    assert _recipients("ticket_new_for_team") == ["whole@support.test"]


def test_team_with_an_address_is_told_there_only(acme, anna, l1_team):
    UserFactory(email="whole@support.test", teams=[l1_team])
    ingest(inbound(organization=acme))
    assert _recipients("ticket_new_for_team") == ["l1@support.test"]
