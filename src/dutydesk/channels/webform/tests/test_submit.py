"""An anonymous visitor sends the form: one contact, one ticket, one confirmation — or a
clear error and nothing at all."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dutydesk.accounts.models import User
from dutydesk.channels.webform.tests.conftest import token_of
from dutydesk.notify.models import Delivery
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _nothing_created() -> bool:
    return not Ticket.objects.exists() and not User.objects.filter(email="nina@acme.test").exists()


def test_a_visitor_gets_a_contact_a_ticket_and_a_confirmation(fill, acme, webform):
    response = fill(phone="+7 495 111-22-33", company="Acme Ltd")

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.reference in response.content.decode()
    assert (ticket.channel, ticket.organization, ticket.subject) == (
        "webform",
        acme,
        "Printer offline",
    )
    contact = ticket.requester
    assert (contact.email, contact.name, contact.phone) == (
        "nina@acme.test",
        "Nina Novak",
        "+7 495 111-22-33",
    )
    assert contact.is_customer and contact.organization == acme
    body = ticket.messages.get().body_text
    assert "Company: Acme Ltd" in body and "floor 2" in body
    confirmation = Delivery.objects.get(kind="ticket_confirmation")
    assert confirmation.recipient == "nina@acme.test"
    assert ticket.reference in confirmation.subject


def test_a_known_contact_is_found_by_email_and_left_as_it_is(fill, anna):
    response = fill(email="ANNA@acme.test", name="Someone Else", phone="000")

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.requester == anna
    anna.refresh_from_db()
    assert anna.name == "Anna" and anna.phone == ""


def test_a_contact_of_another_client_files_in_their_own_organisation(fill, gina, globex):
    fill(email="gina@globex.test")
    assert Ticket.objects.get().organization == globex


def test_a_form_without_an_organisation_places_senders_by_their_domain(fill, webform, acme):
    webform.organization = None
    webform.save()

    assert fill(email="new@acme.test").status_code == 200
    assert Ticket.objects.get().organization == acme

    response = fill(email="someone@unknown.example")
    assert response.status_code == 400
    assert "Please use your work email address." in response.content.decode()
    assert Ticket.objects.count() == 1
    assert not User.objects.filter(email="someone@unknown.example").exists()


def test_the_forms_team_priority_and_type_apply(fill, webform, l2_team):
    webform.team, webform.priority, webform.type = l2_team, "P2", "incident"
    webform.save()

    fill()

    ticket = Ticket.objects.get()
    assert (ticket.team, ticket.tier, ticket.priority, ticket.type) == (
        l2_team,
        l2_team.tier,
        "P2",
        "incident",
    )
    # Opened in the form's team, not moved there after routing sent it elsewhere.
    assert not ticket.events.filter(kind="team").exists()


def test_sending_the_same_form_twice_makes_one_ticket(fill, visitor, webform):
    token = token_of(visitor.get(f"/forms/{webform.slug}/").content.decode())

    first = fill(token=token)
    second = fill(token=token)

    assert first.status_code == second.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.reference in second.content.decode()
    assert ticket.messages.count() == 1
    assert Delivery.objects.filter(kind="ticket_confirmation").count() == 1


def test_each_showing_of_the_form_is_a_new_request(fill):
    fill()
    fill()
    assert Ticket.objects.count() == 2


def test_an_edited_resend_of_a_sent_form_is_refused_clearly(fill, visitor, webform):
    token = token_of(visitor.get(f"/forms/{webform.slug}/").content.decode())
    fill(token=token)

    response = fill(token=token, subject="Something else")

    assert response.status_code == 400
    assert "This form was already sent." in response.content.decode()
    assert Ticket.objects.count() == 1


def test_the_honeypot_stops_a_bot_and_says_why(fill):
    response = fill(website="http://spam.example")

    assert response.status_code == 400
    assert "looks automated" in response.content.decode()
    assert _nothing_created()


def test_a_form_sent_faster_than_a_person_types_is_refused_until_later(
    fill, visitor, webform, settings, time_machine
):
    settings.WEBFORM_MIN_FILL_SECONDS = 3
    time_machine.move_to("2026-11-30 10:00:00Z", tick=False)
    token = token_of(visitor.get(f"/forms/{webform.slug}/").content.decode())

    time_machine.move_to("2026-11-30 10:00:01Z", tick=False)
    response = fill(token=token)
    assert response.status_code == 400
    assert "faster than a person" in response.content.decode()
    assert token_of(response.content.decode()) == token  # the same form, to send again
    assert _nothing_created()

    time_machine.move_to("2026-11-30 10:00:20Z", tick=False)
    assert fill(token=token).status_code == 200
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged", "eyJmIjoxfQ:1abc:xyz"])
def test_a_missing_or_forged_token_is_refused_and_replaced(fill, token):
    response = fill(token=token)
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
    assert _nothing_created()

    again = fill(token=token_of(response.content.decode()))
    assert again.status_code == 200 and Ticket.objects.count() == 1


def test_a_token_of_another_form_is_refused(fill, visitor, webform, acme):
    other = type(webform).objects.create(name="Other", organization=acme)
    token = token_of(visitor.get(f"/forms/{other.slug}/").content.decode())
    assert fill(token=token).status_code == 400
    assert _nothing_created()


def test_an_address_over_the_rate_limit_is_refused(fill, settings):
    settings.WEBFORM_RATE_LIMIT = 2
    assert fill().status_code == 200
    assert fill().status_code == 200

    response = fill()

    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_missing_fields_are_marked_next_to_them(fill):
    response = fill(name="", email="not-an-address", message="")

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="field field-invalid"') == 3
    assert 'id="id_email_error"' in html
    assert _nothing_created()


def test_attachments_are_kept_and_oversized_ones_refused(fill, settings):
    small = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")
    assert fill(attachments=[small]).status_code == 200
    assert [a.filename for a in Ticket.objects.get().attachments.all()] == ["shot.png"]

    settings.ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("big.log", b"x" * 11, "text/plain")
    response = fill(attachments=[big])
    assert response.status_code == 400
    assert "big.log is larger than" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_optional_fields_are_asked_only_when_the_form_wants_them(visitor, webform):
    html = visitor.get(f"/forms/{webform.slug}/").content.decode()
    assert 'name="phone"' in html and 'name="company"' in html and 'name="attachments"' in html

    webform.ask_phone = webform.ask_company = webform.allow_attachments = False
    webform.save()
    html = visitor.get(f"/forms/{webform.slug}/").content.decode()
    assert 'name="phone"' not in html and 'name="company"' not in html
    assert 'name="attachments"' not in html


def test_an_unknown_or_disabled_form_is_a_404(visitor, webform):
    assert visitor.get("/forms/no-such-form/").status_code == 404
    webform.is_active = False
    webform.save()
    assert visitor.get(f"/forms/{webform.slug}/").status_code == 404
    assert visitor.post(f"/forms/{webform.slug}/", {"name": "x"}).status_code == 404


def test_only_the_forms_sites_may_frame_it(visitor, webform):
    response = visitor.get(f"/forms/{webform.slug}/")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.acme.test" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("?lang=ru", "en", "ru"),
        ("", "ru-RU,ru;q=0.9", "ru"),
        ("?lang=en", "ru", "en"),
    ],
)
def test_the_page_speaks_the_asked_or_the_browsers_language(
    visitor, webform, query, accept, expected
):
    response = visitor.get(f"/forms/{webform.slug}/{query}", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{expected}">' in html
    assert ("Тема" if expected == "ru" else "Subject") in html  # the subject field's label
    assert f'action="?lang={expected}"' in html  # sending keeps the language


def test_a_new_contact_keeps_the_language_the_form_was_filled_in(fill, webform):
    fill(url=f"/forms/{webform.slug}/?lang=ru")
    assert User.objects.get(email="nina@acme.test").language == "ru"


def test_a_form_left_open_for_days_asks_to_be_sent_again(fill, visitor, webform, time_machine):
    time_machine.move_to("2026-11-30 10:00:00Z", tick=False)
    token = token_of(visitor.get(f"/forms/{webform.slug}/").content.decode())
    time_machine.move_to("2026-12-02 10:00:00Z", tick=False)

    response = fill(token=token)

    assert response.status_code == 400
    assert "open too long" in response.content.decode()
    assert _nothing_created()
    assert fill(token=token_of(response.content.decode())).status_code == 200
