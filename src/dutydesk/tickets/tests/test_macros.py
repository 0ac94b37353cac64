"""Canned replies and macros: placeholders filled safely in the client's language, the
reply and changes applied together, visibility by owner and team, the API and the
organisation's own confirmation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dutydesk.api.tests.client import api_client, client_as
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import Direction, EventKind, Macro, Message, Ticket
from dutydesk.tickets.services import ingest
from dutydesk.tickets.services.macros import macro_apply, macros_for
from dutydesk.tickets.services.placeholders import confirmation_text, macro_render

pytestmark = pytest.mark.django_db

SATURDAY_3AM = datetime(2027, 3, 13, 3, 0, tzinfo=UTC)


@pytest.fixture
def ticket(acme, anna):
    with time_machine.travel(SATURDAY_3AM, tick=False):
        return ingest(inbound(organization=acme, priority="P1")).ticket


@pytest.fixture
def pending_macro(db):
    return Macro.objects.create(
        title="Need logs",
        body_en="Hello {{ requester.name }}, please send the logs for {{ticket.reference}}. "
        "— {{ agent.name }}, {{ organization.name }}",
        body_ru="Здравствуйте, {{ requester.name }}! Пришлите журналы по {{ ticket.reference }}.",
        set_status="pending",
        set_priority="P2",
        assign_to_me=True,
    )


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- rendering ---------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_ticket(ticket, l1_agent):
    text = "#{{ ticket.number }} {{requester.name}} {{ agent.name }} {{ organization.name }}"

    assert macro_render(text, ticket=ticket, agent=l1_agent) == (f"#{ticket.number} Anna Lena Acme")


def test_the_sla_due_is_shown_in_the_clients_zone(ticket, l1_agent, globex):
    ticket.organization.time_zone = "Europe/Moscow"
    ticket.organization.save()

    text = macro_render("{{ sla.first_response_due }}", ticket=reload(ticket), agent=l1_agent)

    assert text == "Saturday 13 March, 06:15 (Europe/Moscow)"


def test_unknown_placeholders_and_template_syntax_stay_as_written(ticket, l1_agent):
    text = "{{ ticket.requester.password }} {% debug %} {{ settings.SECRET_KEY }}"

    assert macro_render(text, ticket=ticket, agent=l1_agent) == text


def test_a_macro_with_an_unknown_placeholder_is_refused_at_save():
    macro = Macro(title="Bad", body_en="Hi {{ requester.password }}")

    with pytest.raises(ValidationError, match="Unknown placeholder"):
        macro.full_clean()


def test_an_empty_macro_is_refused_at_save():
    with pytest.raises(ValidationError, match="needs a text or at least one change"):
        Macro(title="Nothing").full_clean()


# --- applying ----------------------------------------------------------------------------


def test_applying_posts_the_reply_and_makes_the_changes(ticket, l1_agent, pending_macro):
    ticket = macro_apply(ticket=ticket, macro=pending_macro, by=l1_agent)

    assert (ticket.status, ticket.priority, ticket.assignee) == ("pending", "P2", l1_agent)
    reply = Message.objects.get(ticket=ticket, direction=Direction.OUTBOUND)
    assert reply.body_text == (
        f"Hello Anna, please send the logs for {ticket.reference}. — Lena, Acme"
    )
    assert ticket.first_response_at is not None
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {EventKind.REPLY, EventKind.STATUS, EventKind.PRIORITY, EventKind.ASSIGNEE} <= kinds
    assert AuditLog.objects.filter(action="ticket.macro_applied").count() == 1


def test_a_russian_client_gets_the_russian_text(ticket, l1_agent, pending_macro, anna):
    anna.language = "ru"
    anna.save()

    macro_apply(ticket=reload(ticket), macro=pending_macro, by=l1_agent)

    reply = Message.objects.get(ticket=ticket, direction=Direction.OUTBOUND)
    assert reply.body_text == f"Здравствуйте, Anna! Пришлите журналы по {ticket.reference}."


def test_a_note_macro_posts_an_internal_note(ticket, l1_agent):
    macro = Macro.objects.create(title="Checked", body_en="Checked the VPN.", as_note=True)

    macro_apply(ticket=ticket, macro=macro, by=l1_agent)

    assert Message.objects.get(ticket=ticket, direction=Direction.INTERNAL).is_internal
    assert reload(ticket).first_response_at is None


def test_a_failing_change_leaves_nothing_behind(ticket, l1_agent, pending_macro):
    Macro.objects.filter(pk=pending_macro.pk).update(set_status="bogus")
    pending_macro.refresh_from_db()

    with pytest.raises(ActionRefused):
        macro_apply(ticket=ticket, macro=pending_macro, by=l1_agent)

    assert not Message.objects.filter(ticket=ticket, direction=Direction.OUTBOUND).exists()
    assert reload(ticket).status == "new"


def test_personal_and_team_macros_are_only_for_their_people(
    ticket, l1_agent, l2_agent, l1_team, supervisor
):
    Macro.objects.create(title="Shared", body_en="a")
    Macro.objects.create(title="L1 only", body_en="b", team=l1_team)
    mine = Macro.objects.create(title="Lena's", body_en="c", owner=l1_agent)

    assert [m.title for m in macros_for(user=l1_agent)] == ["L1 only", "Lena's", "Shared"]
    assert [m.title for m in macros_for(user=l2_agent)] == ["Shared"]
    assert [m.title for m in macros_for(user=supervisor)] == ["L1 only", "Shared"]
    assert [m.title for m in macros_for(user=l1_agent, search="lena")] == ["Lena's"]
    with pytest.raises(ActionRefused):
        macro_apply(ticket=ticket, macro=mine, by=supervisor)


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("anna", 403), ("l1_agent", 200), ("supervisor", 200)],
)
def test_who_may_list_macros(request, ticket, pending_macro, caller, status):
    response = client_as(request, caller).get("/api/v1/tickets/macros")

    assert response.status_code == status
    if status == 200:
        assert [m["title"] for m in response.json()] == ["Need logs"]


def test_the_list_renders_the_text_for_a_ticket(ticket, pending_macro, l1_agent):
    body = (
        api_client(l1_agent)
        .get("/api/v1/tickets/macros", {"ticket": ticket.number, "q": "logs"})
        .json()
    )

    assert body[0]["rendered"].startswith("Hello Anna, please send the logs")
    assert body[0]["scope"] == "shared" and body[0]["set_status"] == "pending"


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("gina", 404),
        ("boris", 403),
        ("l2_agent", 404),
        ("l1_agent", 200),
        ("supervisor", 200),
    ],
)
def test_who_may_apply_a_macro(request, ticket, pending_macro, globex, caller, status):
    url = f"/api/v1/tickets/{ticket.number}/macros/{pending_macro.pk}/apply"

    response = client_as(request, caller).post(url)

    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["status"] == "pending"
    else:
        assert reload(ticket).status == "new"


def test_applying_a_macro_not_available_is_404(ticket, l1_agent, l2_agent):
    theirs = Macro.objects.create(title="Oleg's", body_en="x", owner=l2_agent)

    response = api_client(l1_agent).post(
        f"/api/v1/tickets/{ticket.number}/macros/{theirs.pk}/apply"
    )

    assert response.status_code == 404


# --- the organisation's confirmation -----------------------------------------------------


def test_an_organisation_confirmation_uses_the_real_due(acme, anna):
    Macro.objects.create(
        title="Acme confirmation",
        body_en="Hello, {{ requester.name }}! Your ticket number: {{ ticket.reference }}. "
        "We will get back to you within {{ sla.promise }}.",
        confirmation_for=acme,
    )
    with time_machine.travel(SATURDAY_3AM, tick=False):
        ticket = ingest(inbound(organization=acme, priority="P1")).ticket

    assert confirmation_text(ticket) == (
        f"Hello, Anna! Your ticket number: {ticket.reference}. "
        "We will get back to you within 15 minutes."
    )
    # A confirmation is not offered as a macro in the reply box.
    assert not macros_for(user=UserFactory(email="x@support.test", role="agent")).exists()
    # The client's confirmation email carries the organisation's own text.
    email = Delivery.objects.get(ticket=ticket, kind="ticket_confirmation")
    assert email.body == confirmation_text(ticket)
    assert "html" not in email.payload


def test_without_its_own_confirmation_the_standard_one_applies(ticket):
    assert confirmation_text(ticket) is None


def test_the_admin_adds_a_macro_and_refuses_an_unknown_placeholder(client, db):
    from django.urls import reverse

    admin = UserFactory(email="root@support.test", role="admin", is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:tickets_macro_add")
    assert client.get(url).status_code == 200

    bad = client.post(url, {"title": "Bad", "body_en": "{{ user.password }}", "is_active": "on"})
    good = client.post(url, {"title": "Good", "body_en": "Hi {{ requester.name }}"})

    assert bad.status_code == 200 and "Unknown placeholder" in bad.content.decode()
    assert good.status_code == 302
    assert list(Macro.objects.values_list("title", flat=True)) == ["Good"]
