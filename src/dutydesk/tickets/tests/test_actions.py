import pytest
from django.core import mail

from dutydesk.core.models import AuditLog
from dutydesk.notify.models import Delivery
from dutydesk.testing.factories import inbound
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import EventKind, InboundReceipt, Status
from dutydesk.tickets.services import (
    ingest,
    ticket_assign,
    ticket_link,
    ticket_merge,
    ticket_reply,
    ticket_take,
    ticket_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


def test_public_reply_sets_first_response_opens_and_emails_the_client(
    ticket, l1_agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_reply(ticket=ticket, by=l1_agent, body="Please restart the client.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Status.OPEN
    assert message.direction == "out" and not message.is_internal
    reply = next(m for m in mail.outbox if "Please restart" in m.body)
    assert reply.to == ["anna@acme.test"]
    assert reply.subject.startswith(f"[#{ticket.number}]")
    assert AuditLog.objects.filter(action="ticket.reply").exists()


def test_internal_note_does_not_answer_or_notify_the_client(ticket, l1_agent):
    before = Delivery.objects.count()
    message = ticket_reply(
        ticket=ticket, by=l1_agent, body="Looks like the firewall.", internal=True
    )
    ticket.refresh_from_db()
    assert message.is_internal
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW
    assert Delivery.objects.count() == before
    assert ticket.events.filter(kind=EventKind.NOTE).exists()


def test_empty_reply_is_refused(ticket, l1_agent):
    with pytest.raises(ActionRefused):
        ticket_reply(ticket=ticket, by=l1_agent, body="  ")
    assert ticket.messages.count() == 1


def test_customer_cannot_use_agent_actions(ticket, anna, l1_agent):
    with pytest.raises(ActionRefused):
        ticket_reply(ticket=ticket, by=anna, body="hi", internal=True)
    with pytest.raises(ActionRefused):
        ticket_update(ticket=ticket, by=anna, priority="P1")
    with pytest.raises(ActionRefused):
        ticket_take(ticket=ticket, by=anna)


def test_assignment_opens_the_ticket_and_notifies_the_assignee(ticket, l1_agent, supervisor):
    ticket = ticket_assign(ticket=ticket, assignee=l1_agent, by=supervisor)
    assert ticket.assignee == l1_agent and ticket.status == Status.OPEN
    assert Delivery.objects.filter(kind="ticket_assigned", recipient=l1_agent.email).exists()
    event = ticket.events.get(kind=EventKind.ASSIGNEE)
    assert (event.actor, event.new_value) == (supervisor, l1_agent.email)


def test_taking_a_ticket_does_not_notify_yourself(ticket, l1_agent):
    ticket_take(ticket=ticket, by=l1_agent)
    assert not Delivery.objects.filter(kind="ticket_assigned").exists()


def test_cannot_assign_to_a_customer(ticket, l1_agent, boris):
    with pytest.raises(ActionRefused):
        ticket_assign(ticket=ticket, assignee=boris, by=l1_agent)


def test_update_records_an_event_and_audit_per_changed_field(ticket, l1_agent, l2_team):
    ticket = ticket_update(ticket=ticket, by=l1_agent, priority="P1", team=l2_team, type="incident")
    assert (ticket.priority, ticket.team, ticket.tier, ticket.type) == (
        "P1",
        l2_team,
        "L2",
        "incident",
    )
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {EventKind.PRIORITY, EventKind.TEAM, EventKind.TYPE} <= kinds
    audit = AuditLog.objects.get(action="ticket.updated")
    assert audit.changes["priority"] == ["P3", "P1"]
    assert audit.actor == l1_agent


def test_update_with_an_invalid_value_changes_nothing(ticket, l1_agent):
    with pytest.raises(ActionRefused):
        ticket_update(ticket=ticket, by=l1_agent, priority="P1", status="bogus")
    ticket.refresh_from_db()
    assert ticket.priority == "P3"
    assert not ticket.events.filter(kind=EventKind.PRIORITY).exists()


def test_resolving_and_reopening_keeps_the_timestamps_right(ticket, l1_agent):
    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.RESOLVED)
    assert ticket.resolved_at is not None
    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.CLOSED)
    assert ticket.closed_at is not None and ticket.resolved_at is not None
    ticket = ticket_update(ticket=ticket, by=l1_agent, status=Status.OPEN)
    assert (ticket.resolved_at, ticket.closed_at, ticket.reopen_count) == (None, None, 1)


def test_merge_moves_the_conversation_and_closes_the_source(acme, anna, l1_agent, ticket):
    other = ingest(inbound(organization=acme, subject="VPN again", source_id="dup")).ticket
    target = ticket_merge(source=other, target=ticket, by=l1_agent)
    other.refresh_from_db()
    assert other.status == Status.CLOSED and other.merged_into == target
    assert target.messages.count() == 2 and other.messages.count() == 0
    assert InboundReceipt.objects.get(source_id="dup").ticket == target
    # A later message naming the merged ticket lands in the target.
    result = ingest(inbound(ticket_number=other.number, subject="", body_text="more"))
    assert result.ticket == target


def test_merge_across_organisations_is_refused(ticket, globex, gina, l1_agent):
    foreign = ingest(inbound(organization=globex, sender_email="gina@globex.test")).ticket
    with pytest.raises(ActionRefused):
        ticket_merge(source=foreign, target=ticket, by=l1_agent)


def test_link_is_symmetric_and_idempotent(acme, anna, l1_agent, ticket):
    other = ingest(inbound(organization=acme, subject="Printer")).ticket
    ticket_link(ticket=ticket, other=other, by=l1_agent)
    ticket_link(ticket=other, other=ticket, by=l1_agent)
    assert list(other.related.all()) == [ticket]
    assert ticket.events.filter(kind=EventKind.LINKED).count() == 1
