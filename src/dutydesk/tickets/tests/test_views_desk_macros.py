"""Canned replies and macros on the agent's ticket page."""

import pytest
from django.urls import reverse

from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Direction, Macro, Status
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(anna):
    return ingest(inbound(sender_email=anna.email, subject="VPN drops")).ticket


@pytest.fixture
def macro(db):
    return Macro.objects.create(
        title="Ask for logs",
        body_en="Hello {{ requester.name }}, please send the VPN client log. {{ agent.name }}",
        body_ru="Здравствуйте, {{ requester.name }}! Пришлите журнал VPN-клиента.",
        set_status=Status.PENDING,
    )


def url(ticket):
    return reverse("desk:macro", args=[ticket.number])


def test_anonymous_and_customers_cannot_apply_macros(client, ticket, macro, anna):
    assert client.post(url(ticket), {"macro": macro.pk}).status_code == 302
    client.force_login(anna)
    assert client.post(url(ticket), {"macro": macro.pk}).status_code == 403
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()


def test_an_agent_of_another_team_gets_404(client, ticket, macro, l2_agent):
    client.force_login(l2_agent)
    assert client.post(url(ticket), {"macro": macro.pk}).status_code == 404


def test_the_ticket_page_offers_the_macros_and_applying_one_replies_and_changes(
    client, ticket, macro, l1_agent
):
    client.force_login(l1_agent)
    page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert "Ask for logs" in page

    response = client.post(url(ticket), {"macro": macro.pk})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    reply = ticket.messages.get(direction=Direction.OUTBOUND)
    assert reply.body_text.startswith("Hello Anna, please send the VPN client log.")
    assert not reply.is_internal


def test_insert_puts_the_filled_text_in_the_reply_box_and_changes_nothing(
    client, ticket, macro, l1_agent
):
    client.force_login(l1_agent)

    response = client.post(url(ticket), {"macro": macro.pk, "insert": "1"})

    assert response.status_code == 200
    assert "Hello Anna, please send the VPN client log." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status != Status.PENDING
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()


def test_a_macro_the_agent_may_not_use_is_a_form_error(client, ticket, macro, l1_agent, l2_agent):
    macro.owner = l2_agent  # personal to someone else
    macro.save()
    client.force_login(l1_agent)

    response = client.post(url(ticket), {"macro": macro.pk})

    assert response.status_code == 400
    assert "macro" in response.context["macro_form"].errors
    assert not ticket.messages.filter(direction=Direction.OUTBOUND).exists()
