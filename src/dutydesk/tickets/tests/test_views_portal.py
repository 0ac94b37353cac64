"""The client portal: access, the new-ticket form, reading, replying and closing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Attachment, Message, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(anna, l1_agent):
    ticket = ingest(inbound(sender_email=anna.email, subject="Printer on fire")).ticket
    ticket_reply(ticket=ticket, by=l1_agent, body="Public answer")
    ticket_reply(ticket=ticket, by=l1_agent, body="SECRET internal note", internal=True)
    return ticket


PAGES = [
    ("portal:tickets", False),
    ("portal:new", False),
    ("portal:ticket", True),
    ("portal:created", True),
]


@pytest.mark.parametrize(("name", "with_number"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ticket, name, with_number):
    url = reverse(name, args=[ticket.number] if with_number else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))


@pytest.mark.parametrize(("name", "with_number"), PAGES)
def test_own_organisation_sees_the_page(client, ticket, boris, name, with_number):
    client.force_login(boris)
    response = client.get(reverse(name, args=[ticket.number] if with_number else []))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["portal:ticket", "portal:created"])
def test_a_foreign_organisation_gets_404(client, ticket, gina, name):
    client.force_login(gina)
    assert client.get(reverse(name, args=[ticket.number])).status_code == 404


def test_foreign_organisation_cannot_reply_or_close(client, ticket, gina):
    client.force_login(gina)
    assert (
        client.post(reverse("portal:reply", args=[ticket.number]), {"body": "x"}).status_code == 404
    )
    assert client.post(reverse("portal:close", args=[ticket.number])).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status != Status.CLOSED


def test_staff_are_refused_the_portal_with_a_friendly_page(client, l1_agent):
    client.force_login(l1_agent)
    response = client.get(reverse("portal:tickets"))
    assert response.status_code == 403
    assert b"not available to you" in response.content


def test_the_client_never_sees_internal_notes(client, ticket, anna):
    client.force_login(anna)
    content = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "Public answer" in content
    assert "SECRET" not in content


def test_the_list_shows_only_own_tickets_when_the_organisation_says_so(client, ticket, boris, acme):
    client.force_login(boris)
    assert "Printer on fire" in client.get(reverse("portal:tickets")).content.decode()
    acme.customers_see_all_tickets = False
    acme.save()
    assert "Printer on fire" not in client.get(reverse("portal:tickets")).content.decode()
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404


def test_the_ticket_list_costs_a_fixed_number_of_queries(
    client, anna, django_assert_max_num_queries
):
    for n in range(12):
        ingest(inbound(sender_email=anna.email, subject=f"Issue {n}"))
    client.force_login(anna)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("portal:tickets"))
    assert response.content.decode().count("Issue ") == 12


def test_a_new_ticket_with_a_file_shows_its_number(client, anna):
    client.force_login(anna)
    upload = SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")
    response = client.post(
        reverse("portal:new"),
        {
            "token": "t1",
            "subject": "VPN down",
            "body": "Since 9:00",
            "priority": "P2",
            "attachments": [upload],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.priority, ticket.channel) == ("VPN down", "P2", "portal")
    assert Attachment.objects.get().filename == "log.txt"
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page


def test_submitting_the_same_form_twice_opens_one_ticket(client, anna):
    client.force_login(anna)
    data = {"token": "same", "subject": "VPN down", "body": "Since 9:00", "priority": "P3"}
    client.post(reverse("portal:new"), data)
    client.post(reverse("portal:new"), data)
    assert Ticket.objects.count() == 1


def test_priorities_beyond_the_contract_are_refused_next_to_the_field(client, anna):
    client.force_login(anna)
    response = client.post(
        reverse("portal:new"), {"token": "t", "subject": "S", "body": "B", "priority": "P1"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_empty_subject_is_an_error_next_to_the_field(client, anna):
    client.force_login(anna)
    response = client.post(
        reverse("portal:new"), {"token": "t", "subject": " ", "body": "B", "priority": "P3"}
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_the_client_replies_and_the_message_is_public(client, ticket, anna):
    client.force_login(anna)
    response = client.post(reverse("portal:reply", args=[ticket.number]), {"body": "Still burning"})
    assert response.status_code == 302
    message = Message.objects.filter(body_text="Still burning").get()
    assert (message.is_internal, message.direction, message.author) == (False, "in", anna)


def test_an_empty_reply_is_refused(client, ticket, anna):
    client.force_login(anna)
    response = client.post(reverse("portal:reply", args=[ticket.number]), {"body": "  "})
    assert response.status_code == 400


def test_my_problem_is_solved_closes_the_ticket(client, ticket, anna):
    client.force_login(anna)
    response = client.post(reverse("portal:close", args=[ticket.number]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert ticket.events.filter(kind="status", new_value="closed").exists()


def test_closing_needs_post(client, ticket, anna):
    client.force_login(anna)
    assert client.get(reverse("portal:close", args=[ticket.number])).status_code == 405
