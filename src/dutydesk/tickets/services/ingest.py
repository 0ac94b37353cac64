"""The one ingest path: every channel's inbound item becomes a ticket or a message here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.core.html import html_to_text, sanitize_html, text_to_html
from dutydesk.core.queries import one_or_none
from dutydesk.core.services import audit_record, counter_next
from dutydesk.sla.services import (
    SLA_FIELDS,
    sla_on_client_message,
    sla_on_status,
    sla_start,
)
from dutydesk.tickets import selectors
from dutydesk.tickets.errors import InboundConflict, InboundRejected
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import (
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
from dutydesk.tickets.services.assignment import auto_assign
from dutydesk.tickets.services.attachments import attachment_store, attachments_validate
from dutydesk.tickets.services.events import event_record
from dutydesk.tickets.services.notices import (
    notify_assigned,
    notify_client_message,
    notify_ticket_created,
)
from dutydesk.tickets.services.routing import route
from dutydesk.tickets.signals import ticket_opened

TICKET_COUNTER = "ticket_number"
# What a client message can change on its ticket: reopening, the status, the clocks.
THREAD_FIELDS = [
    "status",
    "reopen_count",
    "resolved_at",
    "solved_at_first_tier",
    "updated_at",
    *SLA_FIELDS,
]
# (field, attribute) pairs: a foreign key is compared by its id, without loading the row.
_THREAD_ATTRIBUTES = [(name, Ticket._meta.get_field(name).attname) for name in THREAD_FIELDS]


def _thread_state(ticket: Ticket) -> dict[str, object]:
    return {name: getattr(ticket, attribute) for name, attribute in _THREAD_ATTRIBUTES}


def _save_thread(ticket: Ticket, before: dict[str, object]) -> None:
    """Save what the message changed (and ``updated_at``): a shorter UPDATE to build."""
    changed = [
        name for name, attribute in _THREAD_ATTRIBUTES if getattr(ticket, attribute) != before[name]
    ]
    ticket.save(update_fields=list(dict.fromkeys([*changed, "updated_at"])))


@dataclass(frozen=True)
class IngestResult:
    ticket: Ticket
    message: Message | None
    created: bool  # a new ticket was opened
    duplicate: bool = False  # the item had been accepted before; nothing was written
    reopened: bool = False


def ingest(inbound: Inbound) -> IngestResult:
    """Accept one inbound item exactly once: thread it into its ticket or open a new one.

    Everything — ticket, message, attachments, events, audit, notices — commits together.
    A repeat of an accepted item returns the first result; a reused source id with other
    content raises ``InboundConflict``; bad input raises ``InboundRejected``.
    """
    inbound_validate(inbound)
    digest = inbound.digest()
    if (earlier := _earlier_result(inbound, digest)) is not None:
        return earlier
    try:
        with transaction.atomic():
            return _ingest(inbound, digest)
    except IntegrityError:
        # A concurrent delivery of the same item committed first.
        if (earlier := _earlier_result(inbound, digest)) is not None:
            return earlier
        raise


def inbound_validate(inbound: Inbound) -> None:
    errors: dict[str, str] = {}
    if inbound.channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if not inbound.source_id or len(inbound.source_id) > 255:
        errors["source_id"] = _("A source id of 1 to 255 characters is required.")
    try:
        validate_email(inbound.sender_email)
    except ValidationError:
        errors["requester"] = _("A valid email address is required.")
    if inbound.ticket_number is None and not inbound.subject.strip():
        errors["subject"] = _("The subject must not be empty.")
    if len(inbound.subject) > 255:
        errors["subject"] = _("The subject must be at most 255 characters.")
    if not (inbound.body_text.strip() or inbound.body_html.strip() or inbound.attachments):
        errors["body"] = _("The message must not be empty.")
    if max(len(inbound.body_text), len(inbound.body_html)) > settings.MESSAGE_MAX_CHARS:
        errors["body"] = _("The message must be at most %(n)d characters.") % {
            "n": settings.MESSAGE_MAX_CHARS
        }
    if inbound.priority and inbound.priority not in Priority.values:
        errors["priority"] = _("The priority must be one of P1, P2, P3, P4.")
    if inbound.type and inbound.type not in TicketType.values:
        errors["type"] = _("Unknown ticket type.")
    for name in ("subject", "body_text", "body_html", "sender_name"):
        if "\x00" in getattr(inbound, name):
            # PostgreSQL text cannot hold NUL; such input is malformed, not to be trimmed.
            errors["body" if name.startswith("body") else name] = _("Contains a NUL character.")
    if errors:
        raise InboundRejected(_("The request is not valid."), errors)
    attachments_validate(inbound.attachments)


def _earlier_result(inbound: Inbound, digest: str) -> IngestResult | None:
    # Almost every item is new: the check reads the receipt alone (no joins, no ORDER BY,
    # cheap to compile), and only a repeat loads its ticket and message.
    found = (
        InboundReceipt.objects.filter(channel=inbound.channel, source_id=inbound.source_id)
        .values_list("pk", "digest")
        .order_by()[:1]
    )
    if not found:
        return None
    pk, earlier_digest = found[0]
    if earlier_digest != digest:
        raise InboundConflict(
            _("This source id was already used for a different request."),
            {"source_id": _("already used with different content")},
        )
    receipt = InboundReceipt.objects.select_related("ticket", "message").get(pk=pk)
    return IngestResult(
        ticket=receipt.ticket,
        message=receipt.message,
        created=receipt.created_ticket,
        duplicate=True,
    )


def _ingest(inbound: Inbound, digest: str) -> IngestResult:
    requester, organization = _requester(inbound)
    ticket = _thread_target(inbound, requester)
    guest = ticket is None and (ticket := _guest_target(inbound)) is not None
    before = _thread_state(ticket) if ticket is not None else {}
    reopened = False
    if ticket is not None and ticket.status in (Status.RESOLVED, Status.CLOSED):
        if _within_reopen_window(ticket):
            _reopen(ticket, by=requester)
            reopened = True
        else:
            # Someone only CC'd on the old ticket writes in the follow-up, which stays the
            # client's: its requester is the old one's, in the old one's organisation.
            return _open_ticket(
                inbound,
                digest,
                ticket.requester if guest else requester,
                ticket.organization,
                ticket,
                author=requester,
            )
    if ticket is None:
        return _open_ticket(inbound, digest, requester, organization, None)

    message = _add_message(ticket, inbound, requester)
    if ticket.status == Status.PENDING:
        _set_status(ticket, Status.OPEN, by=requester)
    sla_on_client_message(ticket, message.created_at)
    _save_thread(ticket, before)  # bumps updated_at
    event_record(ticket, actor=requester, kind=EventKind.MESSAGE, message=message.pk)
    audit_record(
        actor=requester, action="ticket.message", obj=ticket, organization=ticket.organization
    )
    notify_client_message(ticket, message)
    _receipt(inbound, digest, ticket, message, created=False)
    return IngestResult(ticket=ticket, message=message, created=False, reopened=reopened)


def _requester(inbound: Inbound) -> tuple[User, Organization]:
    """The contact the item comes from (created on first contact) and their organisation."""
    email = inbound.sender_email.strip().lower()
    submitter = inbound.submitted_by
    if submitter is not None and submitter.is_customer and submitter.email != email:
        raise InboundRejected(
            _("Clients can file tickets only in their own name."),
            {"requester": _("customers can file tickets only in their own name")},
        )
    if inbound.sender is not None and inbound.sender.email == email:
        user = inbound.sender
    else:
        user = one_or_none(User.objects.select_related("organization").filter(email=email))
    given = inbound.organization
    if user is not None and user.is_customer and given and user.organization_id != given.pk:
        raise InboundRejected(
            _("The requester belongs to another organisation."),
            {"requester": _("belongs to another organisation")},
        )
    organization = (
        inbound.organization
        or (user.organization if user is not None else None)
        or organization_for_email(email)
    )
    if organization is None and (guest_of := _guest_target(inbound)) is not None:
        organization = guest_of.organization
        user = user or _guest_contact(email, inbound, organization)
    if organization is None:
        raise InboundRejected(
            _("No organisation is known for this sender."), {"organization": _("unknown")}
        )
    if not organization.is_active:
        raise InboundRejected(
            _("This organisation is no longer served."), {"organization": _("inactive")}
        )
    if user is None:
        user = _contact_for(email, inbound, organization)
    return user, organization


def _contact_for(email: str, inbound: Inbound, organization: Organization) -> User:
    """A new contact; the caller has just looked the address up and found nobody, so this
    inserts straight away, and reads the row a concurrent first contact made instead."""
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=email,
                name=inbound.sender_name[:200],
                role=Role.CUSTOMER,
                organization=organization,
                language=organization.language,
                password="!",  # an unusable password: the contact signs in by email link
            )
    except IntegrityError:
        return User.objects.select_related("organization").get(email=email)
    audit_record(
        actor=inbound.submitted_by,
        action="contact.created",
        obj=user,
        organization=organization,
    )
    return user


def organization_for_email(email: str) -> Organization | None:
    domain = email.rsplit("@", 1)[-1]
    for organization in Organization.objects.filter(
        is_active=True, email_domains__icontains=domain
    ):
        domains = {d.strip().lower() for d in organization.email_domains.split(",")}
        if domain in domains:
            return organization
    return None


def _thread_target(inbound: Inbound, requester: User) -> Ticket | None:
    """The ticket the item names, if the sender may write to it; merges are followed."""
    if inbound.ticket_number is None:
        return None
    # With what the message's notices and clocks read (one query, not five); only the
    # ticket's row is locked.
    visible = (
        selectors.ticket_queryset(user=requester)
        .select_related("organization", "team", "assignee", "sla_policy__calendar")
        .select_for_update(of=("self",))
    )
    ticket = one_or_none(visible.filter(number=inbound.ticket_number))
    for _hop in range(10):
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = one_or_none(visible.filter(pk=ticket.merged_into_id))
    if ticket is not None and ticket.requester_id == requester.pk:
        ticket.requester = requester
    return ticket


def _within_reopen_window(ticket: Ticket) -> bool:
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        return False
    window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
    return timezone.now() - ticket.resolved_at <= window


def _set_status(ticket: Ticket, status: str, *, by: User | None) -> None:
    event_record(ticket, actor=by, kind=EventKind.STATUS, old=ticket.status, new=status)
    sla_on_status(ticket, ticket.status, status, timezone.now())
    ticket.status = status


def _reopen(ticket: Ticket, *, by: User) -> None:
    _set_status(ticket, Status.OPEN, by=by)
    ticket.reopen_count += 1
    ticket.resolved_at = None
    ticket.solved_at_first_tier = None
    event_record(ticket, actor=by, kind=EventKind.REOPENED, new=ticket.reopen_count)


def _add_message(ticket: Ticket, inbound: Inbound, author: User) -> Message:
    body_html = sanitize_html(inbound.body_html) if inbound.body_html else ""
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        direction=Direction.INBOUND,
        body_text=inbound.body_text or html_to_text(body_html),
        body_html=body_html or text_to_html(inbound.body_text),
        channel=inbound.channel,
        source_id=inbound.source_id,
    )
    for item in inbound.attachments:
        attachment_store(ticket=ticket, message=message, item=item)
    return message


def _open_ticket(
    inbound: Inbound,
    digest: str,
    requester: User,
    organization: Organization,
    follow_up_of: Ticket | None,
    *,
    author: User | None = None,
) -> IngestResult:
    """``author`` wrote the item when it is not the requester (a CC'd guest)."""
    author = author or requester
    subject = inbound.subject.strip() or (follow_up_of.subject if follow_up_of else "")
    decided = route(
        organization=organization,
        channel=inbound.channel,
        category=inbound.category,
        subject=subject,
    )
    ticket = Ticket.objects.create(
        number=counter_next(TICKET_COUNTER),
        organization=organization,
        requester=requester,
        subject=subject[:255],
        priority=inbound.priority or decided.priority or Priority.P3,
        type=inbound.type or decided.type or TicketType.REQUEST,
        category=inbound.category,
        channel=inbound.channel,
        team=inbound.team or decided.team,
        tier=inbound.team.tier if inbound.team and inbound.team.tier else decided.tier,
        follow_up_of=follow_up_of,
    )
    sla_start(ticket)
    ticket.save(update_fields=SLA_FIELDS)
    message = _add_message(ticket, inbound, author)
    event_record(
        ticket,
        actor=inbound.submitted_by or author,
        kind=EventKind.CREATED,
        new=ticket.status,
        channel=inbound.channel,
    )
    if decided.rule is not None:
        event_record(
            ticket,
            actor=None,
            kind=EventKind.ROUTED,
            new=decided.rule.name,
            team=decided.team.slug if decided.team else None,
        )
    if follow_up_of is not None:
        event_record(
            ticket,
            actor=author,
            kind=EventKind.LINKED,
            new=follow_up_of.reference,
            relation="follow_up_of",
        )
    if auto_assign(ticket) is not None:
        ticket.save(update_fields=["assignee"])
        notify_assigned(ticket, by=None)
    audit_record(
        actor=inbound.submitted_by or author,
        action="ticket.created",
        obj=ticket,
        organization=organization,
    )
    notify_ticket_created(ticket)
    ticket_opened.send(sender=Ticket, ticket=ticket)
    _receipt(inbound, digest, ticket, message, created=True)
    return IngestResult(ticket=ticket, message=message, created=True)


def _receipt(
    inbound: Inbound, digest: str, ticket: Ticket, message: Message | None, *, created: bool
) -> None:
    InboundReceipt.objects.create(
        channel=inbound.channel,
        source_id=inbound.source_id,
        digest=digest,
        ticket=ticket,
        message=message,
        created_ticket=created,
    )


def _guest_target(inbound: Inbound) -> Ticket | None:
    """The ticket the item names when the channel vouches that the sender is on it
    (``Inbound.sender_on_ticket``: CC'd on its mail), whether or not they may see it."""
    if not inbound.sender_on_ticket or inbound.ticket_number is None:
        return None
    ticket = Ticket.objects.select_for_update().filter(number=inbound.ticket_number).first()
    for _hop in range(10):
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.select_for_update().filter(pk=ticket.merged_into_id).first()
    return ticket


def _guest_contact(email: str, inbound: Inbound, organization: Organization) -> User:
    """Someone on a ticket whom no organisation claims: filed under the ticket's, but
    inactive, so they can neither sign in nor see its other tickets."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "name": inbound.sender_name[:200],
            "role": Role.CUSTOMER,
            "organization": organization,
            "is_active": False,
            "language": organization.language,
            "password": "!",
        },
    )
    if created:
        audit_record(actor=None, action="contact.created", obj=user, organization=organization)
    return user
