"""One change applied to many tickets from the queue, each through the single-ticket service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from dutydesk.accounts.models import User
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services.actions import ticket_assign, ticket_update

UNCHANGED = object()


@transaction.atomic
def tickets_bulk_change(
    *, tickets: Iterable[Ticket], by: User, assignee: Any = UNCHANGED, **changes: Any
) -> int:
    """Apply ``changes`` (status, priority, team, …) and optionally an assignee to each
    ticket, fetched through a selector; all or none. Returns how many were touched."""
    count = 0
    for ticket in tickets:
        if changes:
            ticket = ticket_update(ticket=ticket, by=by, **changes)
        if assignee is not UNCHANGED:
            ticket_assign(ticket=ticket, assignee=assignee, by=by)
        count += 1
    return count
