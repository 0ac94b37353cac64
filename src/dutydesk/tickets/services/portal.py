"""What a client does to their own ticket in the portal besides writing: closing it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.sla.services import sla_on_status
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import EventKind, Status, Ticket
from dutydesk.tickets.services.events import event_record


@transaction.atomic
def ticket_close_by_client(*, ticket: Ticket, by: User) -> Ticket:
    """The client says the problem is solved: the ticket closes and its clocks stop.

    The ticket must have been fetched through ``selectors.ticket_get`` for ``by``; writing
    again later reopens it through ``ingest`` as usual.
    """
    if not (by.is_active and by.is_customer and by.organization_id == ticket.organization_id):
        raise ActionRefused(_("Only the client can close their ticket this way."))
    ticket = Ticket.objects.select_for_update().select_related("organization").get(pk=ticket.pk)
    if ticket.status == Status.CLOSED:
        return ticket
    now = timezone.now()
    old = ticket.status
    sla_on_status(ticket, old, Status.CLOSED, now)
    event_record(
        ticket, actor=by, kind=EventKind.STATUS, old=old, new=Status.CLOSED, by_client=True
    )
    ticket.status = Status.CLOSED
    ticket.resolved_at = ticket.resolved_at or now
    ticket.closed_at = now
    ticket.save()
    audit_record(
        actor=by,
        action="ticket.closed_by_client",
        obj=ticket,
        changes={"status": (old, Status.CLOSED)},
        organization=ticket.organization,
    )
    return ticket
