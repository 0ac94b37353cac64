"""Reads of tickets, always scoped to what the acting user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from dutydesk.accounts.models import User
from dutydesk.tickets.models import Attachment, Message, Ticket, TicketEvent


def ticket_queryset(*, user: User) -> QuerySet[Ticket]:
    """Every ticket the user may see: the base of every ticket read.

    A customer sees their organisation's tickets (or only their own, per the
    organisation's setting); an agent the queues of their teams and what is assigned to
    them; supervisors, managers and admins everything.
    """
    tickets = Ticket.objects.all()
    if not user.is_active:
        return tickets.none()
    if user.is_customer:
        if user.organization is None:
            return tickets.none()
        scope = Q(organization_id=user.organization_id)
        if not user.organization.customers_see_all_tickets:
            scope &= Q(requester=user)
        return tickets.filter(scope)
    if user.sees_all_queues:
        return tickets
    return tickets.filter(Q(team__in=user.teams.values("pk")) | Q(assignee=user))


def ticket_list(*, user: User) -> QuerySet[Ticket]:
    return ticket_queryset(user=user).select_related(
        "organization", "requester", "team", "assignee", "sla_policy"
    )


def ticket_get(*, user: User, number: int) -> Ticket:
    """The ticket by its number, or 404 — also when it exists but is not the user's to see."""
    return get_object_or_404(ticket_list(user=user), number=number)


def message_list(*, user: User, ticket: Ticket) -> QuerySet[Message]:
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    if not user.is_agent:
        messages = messages.filter(is_internal=False)
    return messages


def event_list(*, user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    events = ticket.events.select_related("actor")
    if not user.is_agent:
        events = events.none()
    return events


def attachment_get(*, user: User, pk: int) -> Attachment:
    attachments = Attachment.objects.filter(ticket__in=ticket_queryset(user=user))
    if not user.is_agent:
        attachments = attachments.exclude(message__is_internal=True)
    return get_object_or_404(attachments.select_related("ticket", "message"), pk=pk)


def attachment_list(*, user: User, ticket: Ticket) -> QuerySet[Attachment]:
    """The attachments of a ticket fetched through ``ticket_get``; customers never see those
    of internal notes."""
    attachments = ticket.attachments.all()
    if not user.is_agent:
        attachments = attachments.exclude(message__is_internal=True)
    return attachments
