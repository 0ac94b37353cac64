"""Reads of the SLA state of tickets, as the API and the desk show it."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db.models import Exists, OuterRef, QuerySet

from dutydesk.sla.models import SlaLevel, SlaMark, SlaTarget
from dutydesk.tickets.models import Status, Ticket

# The resolution clock stands still in these; while waiting it has no due at all.
WAITING_STATUSES = (Status.PENDING, Status.ON_HOLD)


class TicketSla(TypedDict):
    policy: str | None
    first_response_due: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    unanswered_due: datetime | None
    paused: bool
    breached: list[str]


def ticket_sla(ticket: Ticket) -> TicketSla:
    """The ticket's clocks as the API shows them.

    ``breached`` lists the targets that have a breach mark ("unanswered": a client message
    waited past the limit); a list annotates them with ``with_breached``.
    """
    return {
        "policy": ticket.sla_policy.slug if ticket.sla_policy_id else None,
        "first_response_due": ticket.first_response_due,
        "next_response_due": ticket.next_response_due,
        "resolution_due": ticket.resolution_due,
        "unanswered_due": ticket.unanswered_due,
        "paused": ticket.status in WAITING_STATUSES and ticket.resolution_paused_at is not None,
        "breached": ticket_breached(ticket),
    }


def _breached_attr(target: str) -> str:
    return f"sla_breached_{target}"


def with_breached(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate each ticket with whether each target has a breach mark, as EXISTS
    subqueries on the marks' unique index: a list stays one query however long."""
    return tickets.annotate(
        **{
            _breached_attr(target): Exists(
                SlaMark.objects.filter(
                    ticket_id=OuterRef("pk"), target=target, level=SlaLevel.BREACH
                )
            )
            for target in SlaTarget.values
        }
    )


def ticket_breached(ticket: Ticket) -> list[str]:
    """The targets this ticket has missed at least once, in the order of ``SlaTarget``;
    read from ``with_breached`` annotations when present, else one query."""
    if ticket.pk is None:
        return []
    annotated = [getattr(ticket, _breached_attr(t), None) for t in SlaTarget.values]
    if None not in annotated:
        return [t for t, hit in zip(SlaTarget.values, annotated, strict=True) if hit]
    found = set(
        SlaMark.objects.filter(ticket_id=ticket.pk, level=SlaLevel.BREACH).values_list(
            "target", flat=True
        )
    )
    return [target for target in SlaTarget.values if target in found]
