"""What agents do to tickets: reply, note, assign, change fields, merge, link.

Each function takes a ticket already fetched through a selector, locks its row, writes
timeline events and an audit record, and queues notices — all in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Team, Tier, User
from dutydesk.core.html import html_to_text, sanitize_html, text_to_html
from dutydesk.core.services import audit_record
from dutydesk.sla.services import sla_on_agent_reply, sla_on_priority, sla_on_status
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import (
    DONE_STATUSES,
    Channel,
    Direction,
    EventKind,
    InboundReceipt,
    Message,
    Priority,
    Status,
    Ticket,
    TicketType,
)
from dutydesk.tickets.services.assignment import solved_at_first_tier
from dutydesk.tickets.services.attachments import attachment_store, attachments_validate
from dutydesk.tickets.services.events import event_record
from dutydesk.tickets.services.notices import notify_agent_reply, notify_assigned

EDITABLE_FIELDS = {
    "status": (EventKind.STATUS, Status.values),
    "priority": (EventKind.PRIORITY, Priority.values),
    "type": (EventKind.TYPE, TicketType.values),
    "category": (EventKind.CATEGORY, None),
    "tier": (EventKind.TIER, Tier.values),
    "team": (EventKind.TEAM, None),
}


def _require_agent(user: User) -> None:
    if not (user.is_active and user.is_agent):
        raise ActionRefused(_("Only support staff can do this."))


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update()
        .select_related("organization", "requester")
        .get(pk=ticket.pk)
    )


def _apply_status(ticket: Ticket, status: str, *, by: User) -> None:
    now = timezone.now()
    sla_on_status(ticket, ticket.status, status, now)
    if ticket.status in DONE_STATUSES and status not in DONE_STATUSES:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        ticket.solved_at_first_tier = None
        event_record(ticket, actor=by, kind=EventKind.REOPENED, new=ticket.reopen_count)
    if status == Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Status.CLOSED:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = now
    if status in DONE_STATUSES and ticket.solved_at_first_tier is None:
        ticket.solved_at_first_tier = solved_at_first_tier(ticket)
    ticket.status = status


@transaction.atomic
def ticket_update(*, ticket: Ticket, by: User, **changes: Any) -> Ticket:
    """Change any of status, priority, type, category, tier and team; unchanged keys are ignored."""
    _require_agent(by)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionRefused(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    ticket = _locked(ticket)
    diff: dict[str, tuple[Any, Any]] = {}
    for field, value in changes.items():
        kind, allowed = EDITABLE_FIELDS[field]
        if allowed is not None and value not in allowed:
            raise ActionRefused(_("Invalid value."), {field: _("not a valid choice")})
        if field == "team" and value is not None and not isinstance(value, Team):
            raise ActionRefused(_("Invalid value."), {field: _("unknown team")})
        old = getattr(ticket, field)
        if old == value:
            continue
        diff[field] = (old, value)
        event_record(ticket, actor=by, kind=kind, old=old, new=value)
        if field == "status":
            _apply_status(ticket, value, by=by)
        else:
            setattr(ticket, field, value)
        if field == "priority":
            sla_on_priority(ticket)
        if field == "team" and value is not None and "tier" not in changes and value.tier:
            if value.tier != ticket.tier:  # the metrics read tier moves from the timeline
                event_record(ticket, actor=by, kind=EventKind.TIER, old=ticket.tier, new=value.tier)
                diff["tier"] = (ticket.tier, value.tier)
            ticket.tier = value.tier
    if diff:
        ticket.save()
        audit_record(
            actor=by,
            action="ticket.updated",
            obj=ticket,
            changes=diff,
            organization=ticket.organization,
        )
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, by: User) -> Ticket:
    """Give the ticket to an agent, or to nobody; the new assignee is told."""
    _require_agent(by)
    if assignee is not None and not (assignee.is_active and assignee.is_agent):
        raise ActionRefused(
            _("Tickets can be assigned only to active staff."), {"assignee": _("not an agent")}
        )
    ticket = _locked(ticket)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    old = ticket.assignee
    event_record(
        ticket,
        actor=by,
        kind=EventKind.ASSIGNEE,
        old=old.email if old else "",
        new=assignee.email if assignee else "",
    )
    ticket.assignee = assignee
    if assignee is not None and ticket.status == Status.NEW:
        event_record(ticket, actor=by, kind=EventKind.STATUS, old=ticket.status, new=Status.OPEN)
        ticket.status = Status.OPEN
    ticket.save()
    audit_record(
        actor=by,
        action="ticket.assigned",
        obj=ticket,
        changes={"assignee": (old, assignee)},
        organization=ticket.organization,
    )
    notify_assigned(ticket, by=by)
    return ticket


def ticket_take(*, ticket: Ticket, by: User) -> Ticket:
    return ticket_assign(ticket=ticket, assignee=by, by=by)


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    body_html: str = "",
    internal: bool = False,
    attachments: tuple[InboundAttachment, ...] = (),
) -> Message:
    """A public reply to the client (sent by email) or an internal note (never shown to them)."""
    _require_agent(by)
    if not (body.strip() or body_html.strip() or attachments):
        raise ActionRefused(_("The message must not be empty."), {"body": _("required")})
    attachments_validate(attachments)
    ticket = _locked(ticket)
    clean_html = sanitize_html(body_html) if body_html else text_to_html(body)
    message = Message.objects.create(
        ticket=ticket,
        author=by,
        is_internal=internal,
        direction=Direction.INTERNAL if internal else Direction.OUTBOUND,
        body_text=body or html_to_text(clean_html),
        body_html=clean_html,
        channel=Channel.AGENT,
    )
    for item in attachments:
        attachment_store(ticket=ticket, message=message, item=item)
    event_record(
        ticket, actor=by, kind=EventKind.NOTE if internal else EventKind.REPLY, message=message.pk
    )
    if not internal:
        if ticket.first_response_at is None:
            ticket.first_response_at = message.created_at
        sla_on_agent_reply(ticket, message.created_at)
        if ticket.status == Status.NEW:
            event_record(
                ticket, actor=by, kind=EventKind.STATUS, old=ticket.status, new=Status.OPEN
            )
            ticket.status = Status.OPEN
    ticket.save()
    audit_record(
        actor=by,
        action="ticket.note" if internal else "ticket.reply",
        obj=ticket,
        organization=ticket.organization,
    )
    if not internal:
        notify_agent_reply(ticket, message)
    return message


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, by: User) -> Ticket:
    """Move the source's conversation into the target and close the source."""
    _require_agent(by)
    if source.pk == target.pk:
        raise ActionRefused(_("A ticket cannot be merged into itself."))
    if source.organization_id != target.organization_id:
        raise ActionRefused(_("Only tickets of the same organisation can be merged."))
    # Lock in one order, so two opposite merges cannot deadlock.
    locked = {t.pk: _locked(t) for t in sorted([source, target], key=lambda t: t.pk)}
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id or target.merged_into_id:
        raise ActionRefused(_("A merged ticket cannot be merged again."))
    source.messages.update(ticket=target)
    source.attachments.update(ticket=target)
    InboundReceipt.objects.filter(ticket=source).update(ticket=target)
    event_record(source, actor=by, kind=EventKind.MERGED, new=target.reference, into=target.pk)
    event_record(target, actor=by, kind=EventKind.MERGED, old=source.reference, source=source.pk)
    if source.status != Status.CLOSED:
        event_record(source, actor=by, kind=EventKind.STATUS, old=source.status, new=Status.CLOSED)
        _apply_status(source, Status.CLOSED, by=by)
    source.merged_into = target
    source.save()
    target.save()
    audit_record(
        actor=by,
        action="ticket.merged",
        obj=source,
        changes={"merged_into": (None, target.reference)},
        organization=source.organization,
    )
    return target


@transaction.atomic
def ticket_link(*, ticket: Ticket, other: Ticket, by: User) -> None:
    """Mark two tickets as related (both directions)."""
    _require_agent(by)
    if ticket.pk == other.pk:
        raise ActionRefused(_("A ticket cannot be linked to itself."))
    if ticket.related.filter(pk=other.pk).exists():
        return
    ticket.related.add(other)
    event_record(ticket, actor=by, kind=EventKind.LINKED, new=other.reference)
    event_record(other, actor=by, kind=EventKind.LINKED, new=ticket.reference)
    audit_record(
        actor=by,
        action="ticket.linked",
        obj=ticket,
        changes={"related": (None, other.reference)},
        organization=ticket.organization,
    )
