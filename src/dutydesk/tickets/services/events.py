"""Timeline events: one row per change a person should see on the ticket."""

from __future__ import annotations

from typing import Any

from dutydesk.notify.webhooks.fanout import ticket_event_emit
from dutydesk.tickets.models import Ticket, TicketEvent


def event_record(
    ticket: Ticket, *, actor: Any, kind: str, old: Any = "", new: Any = "", **data: Any
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        old_value="" if old is None else str(old)[:255],
        new_value="" if new is None else str(new)[:255],
        data=data,
    )
    ticket_event_emit(ticket, event)  # outbound webhooks; no query without subscribers
    return event
