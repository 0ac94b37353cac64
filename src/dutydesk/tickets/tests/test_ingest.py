from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from dutydesk.accounts.models import User
from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import inbound
from dutydesk.tickets.errors import InboundConflict, InboundRejected
from dutydesk.tickets.models import EventKind, InboundReceipt, Message, RoutingRule, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_update

pytestmark = pytest.mark.django_db


def test_new_request_opens_a_numbered_ticket_routed_to_the_clients_team(acme, anna):
    result = ingest(inbound(organization=acme, priority="P2"))

    ticket = result.ticket
    assert result.created and not result.duplicate
    assert ticket.number >= 1001  # numbering starts at 1001 (a sequence on PostgreSQL)
    assert ticket.reference == f"#{ticket.number}"
    assert (ticket.organization, ticket.requester) == (acme, anna)
    assert ticket.status == Status.NEW
    assert ticket.priority == "P2"
    assert ticket.team == acme.default_team
    assert ticket.tier == "L1"
    assert ticket.messages.get().body_html.startswith("<p>Since this morning")
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]
    assert AuditLog.objects.filter(action="ticket.created", object_id=str(ticket.pk)).exists()


def test_ticket_numbers_are_sequential(acme, anna):
    numbers = [ingest(inbound(organization=acme)).ticket.number for _ in range(3)]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_client_gets_a_confirmation_with_number_and_promised_time(
    acme, anna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest(inbound(organization=acme, priority="P1")).ticket

    confirmation = next(m for m in mail.outbox if m.to == ["anna@acme.test"])
    assert confirmation.subject == f"[#{ticket.number}] {ticket.subject}"
    assert "Hello, Anna!" in confirmation.body
    assert f"Your request number is #{ticket.number}" in confirmation.body
    assert "within 15 minutes" in confirmation.body
    team_notice = next(m for m in mail.outbox if m.to == ["l1@support.test"])
    assert "New ticket" in team_notice.subject
    assert Delivery.objects.filter(status="sent").count() == 2


def test_confirmation_speaks_the_clients_language(acme, anna, django_capture_on_commit_callbacks):
    anna.language = "ru"
    anna.save()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(inbound(organization=acme, priority="P3"))
    body = next(m for m in mail.outbox if m.to == ["anna@acme.test"]).body
    assert "Здравствуйте, Anna!" in body
    assert "4 часа" in body


def test_repeated_item_is_accepted_once(acme, anna):
    item = inbound(organization=acme, source_id="msg-1")
    first = ingest(item)
    again = ingest(item)

    assert again.duplicate and again.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    assert Delivery.objects.count() == 2


def test_reused_source_id_with_other_content_is_a_conflict_and_writes_nothing(acme, anna):
    ingest(inbound(organization=acme, source_id="k1", subject="One"))
    with pytest.raises(InboundConflict):
        ingest(inbound(organization=acme, source_id="k1", subject="Two"))
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"subject": "  "}, "subject"),
        ({"priority": "P9"}, "priority"),
        ({"sender_email": "not-an-email"}, "requester"),
        ({"body_text": ""}, "body"),
        ({"body_text": "x" * 200_001}, "body"),
        ({"source_id": ""}, "source_id"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(acme, anna, fields, error_field):
    with pytest.raises(InboundRejected) as excinfo:
        ingest(inbound(organization=acme, **fields))
    assert error_field in excinfo.value.errors
    assert Ticket.objects.count() == 0
    assert InboundReceipt.objects.count() == 0


def test_unknown_sender_without_organisation_is_rejected(db):
    with pytest.raises(InboundRejected) as excinfo:
        ingest(inbound(sender_email="who@nowhere.test"))
    assert "organization" in excinfo.value.errors
    assert not User.objects.exists()


def test_new_sender_from_a_clients_domain_becomes_a_contact(acme):
    ticket = ingest(inbound(sender_email="New.Person@ACME.test", sender_name="New")).ticket
    assert ticket.organization == acme
    contact = User.objects.get(email="new.person@acme.test")
    assert contact.is_customer and contact.organization == acme
    assert not contact.has_usable_password()


def test_requester_of_another_organisation_is_rejected(acme, globex, gina):
    with pytest.raises(InboundRejected):
        ingest(inbound(organization=acme, sender_email="gina@globex.test"))
    assert Ticket.objects.count() == 0


def test_message_naming_a_ticket_is_threaded_into_it(acme, anna, boris):
    ticket = ingest(inbound(organization=acme)).ticket
    result = ingest(
        inbound(
            sender_email="boris@acme.test",
            ticket_number=ticket.number,
            subject="",
            body_text="Any news?",
        )
    )
    assert not result.created and result.ticket == ticket
    assert ticket.messages.count() == 2
    assert Ticket.objects.count() == 1


def test_message_naming_a_foreign_ticket_opens_a_new_one(acme, anna, globex, gina):
    foreign = ingest(inbound(organization=globex, sender_email="gina@globex.test")).ticket
    result = ingest(inbound(sender_email="anna@acme.test", ticket_number=foreign.number))
    assert result.created and result.ticket != foreign
    assert result.ticket.organization == acme
    assert foreign.messages.count() == 1


def test_client_reply_moves_a_pending_ticket_back_to_open(acme, anna, l1_agent):
    ticket = ingest(inbound(organization=acme)).ticket
    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.PENDING)
    ingest(inbound(ticket_number=ticket.number, subject="", body_text="Here is the log."))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reply_to_a_recently_resolved_ticket_reopens_it(acme, anna, l1_agent):
    ticket = ingest(inbound(organization=acme)).ticket
    ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        result = ingest(inbound(ticket_number=ticket.number, subject="", body_text="Again!"))
    ticket.refresh_from_db()
    assert result.reopened and result.ticket == ticket
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None


def test_reply_after_the_reopen_window_opens_a_linked_follow_up(acme, anna, l1_agent):
    ticket = ingest(inbound(organization=acme)).ticket
    ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        result = ingest(inbound(ticket_number=ticket.number, subject="", body_text="Again!"))
    assert result.created
    assert result.ticket.follow_up_of == ticket
    assert result.ticket.subject == ticket.subject
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_routing_rule_sets_team_tier_priority_and_type(acme, anna, l2_team):
    RoutingRule.objects.create(
        name="DB to L2",
        keywords="postgres, database",
        set_team=l2_team,
        set_priority="P2",
        set_type="incident",
    )
    ticket = ingest(inbound(organization=acme, subject="Database is slow")).ticket
    assert (ticket.team, ticket.tier, ticket.priority, ticket.type) == (
        l2_team,
        "L2",
        "P2",
        "incident",
    )
    assert ticket.events.filter(kind=EventKind.ROUTED).exists()


def test_routing_rule_of_another_organisation_does_not_apply(acme, anna, globex, l2_team):
    RoutingRule.objects.create(name="Globex all", organization=globex, set_team=l2_team)
    ticket = ingest(inbound(organization=acme)).ticket
    assert ticket.team == acme.default_team


def test_html_body_is_sanitized(acme, anna):
    ticket = ingest(
        inbound(
            organization=acme,
            body_text="",
            body_html='<p onclick="x()">Hi<script>alert(1)</script></p>',
        )
    ).ticket
    message = ticket.messages.get()
    assert "script" not in message.body_html and "onclick" not in message.body_html
    assert message.body_text == "Hi"


def test_nul_characters_are_rejected(acme, anna):
    with pytest.raises(InboundRejected) as excinfo:
        ingest(inbound(organization=acme, body_text="bad\x00byte"))
    assert "body" in excinfo.value.errors
    assert Ticket.objects.count() == 0


def test_a_customer_cannot_file_in_someone_elses_name(acme, anna, boris):
    with pytest.raises(InboundRejected) as excinfo:
        ingest(inbound(organization=acme, sender_email="boris@acme.test", submitted_by=anna))
    assert "requester" in excinfo.value.errors
    assert Ticket.objects.count() == 0


def test_an_inactive_organisation_gets_no_new_tickets(acme, anna):
    acme.is_active = False
    acme.save()
    with pytest.raises(InboundRejected) as excinfo:
        ingest(inbound(organization=acme))
    assert "organization" in excinfo.value.errors
    assert Ticket.objects.count() == 0


def test_staff_can_file_for_a_new_contact_of_a_client(acme, l1_agent):
    ticket = ingest(
        inbound(
            organization=acme,
            sender_email="caller@acme.test",
            channel="phone",
            submitted_by=l1_agent,
        )
    ).ticket
    assert ticket.requester.organization == acme
    assert ticket.events.get(kind=EventKind.CREATED).actor == l1_agent
