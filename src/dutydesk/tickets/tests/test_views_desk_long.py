"""A long ticket's page: the shortened timeline reads only what it shows."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dutydesk.testing.factories import inbound
from dutydesk.tickets import selectors
from dutydesk.tickets.models import Direction, Message, TicketEvent
from dutydesk.tickets.services import ingest
from dutydesk.tickets.views.present import shortened, timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(anna):
    return ingest(inbound(sender_email=anna.email, subject="Printer on fire")).ticket


def test_a_long_ticket_page_reads_only_the_messages_it_shows(
    client, ticket, l1_agent, django_assert_max_num_queries
):
    """The shortened timeline is the same as if every message were read, events included."""

    start = ticket.created_at
    rows = Message.objects.bulk_create(
        Message(
            ticket=ticket,
            author=l1_agent,
            direction=Direction.OUTBOUND,
            body_text=f"m{n}x",
            channel="agent",
        )
        for n in range(180)
    )
    for n, message in enumerate(rows):  # spread over time, some at the same instant
        Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(minutes=n // 2))
    for n in range(0, 180, 7):  # events between the messages
        event = TicketEvent.objects.create(ticket=ticket, kind="priority", old_value="P3")
        TicketEvent.objects.filter(pk=event.pk).update(
            created_at=start + timedelta(minutes=n // 2, seconds=1), new_value=f"P{n}"
        )
    client.force_login(l1_agent)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("desk:ticket", args=[ticket.number]))
    everything = shortened(
        timeline(
            list(selectors.message_list(user=l1_agent, ticket=ticket)),
            list(selectors.event_list(user=l1_agent, ticket=ticket)),
        ),
        full=False,
    )

    def keys(entries):
        return [(e.message.pk, None) if e.message else (None, e.event.pk) for e in entries]

    assert keys(response.context["timeline"]) == keys(everything[0])
    assert response.context["hidden"] == everything[1] > 0
    html = response.content.decode()
    assert "m179x" in html and "m0x" in html and "m20x" not in html
