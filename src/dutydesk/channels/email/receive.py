"""One received mail becomes a ticket message, a note, a repeat or a quarantined item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.channels.email.models import (
    Mailbox,
    MessageRef,
    Participant,
    QuarantinedMessage,
    QuarantineReason,
    RefDirection,
)
from dutydesk.channels.email.parsing import BOUNCE, ParsedEmail, Unparsable, parse
from dutydesk.channels.email.quarantine import quarantine_store
from dutydesk.channels.email.threads import (
    RECEIVING_MAILBOX,
    own_message,
    ticket_for_message_ids,
)
from dutydesk.core.services import audit_record
from dutydesk.tickets import selectors
from dutydesk.tickets.errors import InboundConflict, InboundRejected
from dutydesk.tickets.inbound import Inbound, InboundAttachment
from dutydesk.tickets.models import (
    Channel,
    Direction,
    EventKind,
    InboundReceipt,
    Message,
    Ticket,
)
from dutydesk.tickets.services import ingest
from dutydesk.tickets.services.events import event_record

TICKET = "ticket"  # threaded into a ticket or opened one
NOTE = "note"  # an automatic message recorded as an internal note
DUPLICATE = "duplicate"  # received before (or our own mail come back); nothing written
QUARANTINED = "quarantined"

_TOKENS = re.compile(r"\s*\[#\d{1,12}\]\s*")


@dataclass(frozen=True)
class Received:
    outcome: str
    ticket: Ticket | None = None
    quarantined: QuarantinedMessage | None = None
    created: bool = False


def email_receive(
    *,
    raw: bytes,
    mailbox: Mailbox | None,
    uid: int | None = None,
    uidvalidity: int | None = None,
    rate_limit: bool = True,
    held: QuarantinedMessage | None = None,
    unknown_id: str = "",
) -> Received:
    """Take one raw message exactly once. Never raises for the message's content: what
    cannot become part of a ticket is quarantined with the reason.

    ``unknown_id``: a Message-ID the caller has just looked up and not found (a poll checks
    a whole group at once); ingest's receipt still makes a repeat a no-op.
    """

    def hold(reason: str, detail: str, parsed: ParsedEmail | None = None) -> Received:
        item = quarantine_store(
            raw=raw,
            mailbox=mailbox,
            uid=uid,
            uidvalidity=uidvalidity,
            reason=reason,
            detail=detail,
            parsed=parsed,
            held=held,
        )
        return Received(QUARANTINED, quarantined=item)

    try:
        parsed = parse(raw)
    except Unparsable as exc:
        return hold(QuarantineReason.UNPARSABLE, str(exc))

    checked = bool(unknown_id) and unknown_id == parsed.message_id
    if not checked and (earlier := _earlier(parsed.message_id)) is not None:
        return earlier
    thread_ticket = ticket_for_message_ids(parsed.thread_ids)

    if parsed.automatic:
        return _automatic(parsed, raw, mailbox, thread_ticket, hold)

    ours = our_addresses()
    if parsed.sender_email in ours:
        # Mail from one of our own mailboxes: answering it would answer ourselves.
        return hold(QuarantineReason.LOOP, _("Mail from one of our own addresses."), parsed)

    if rate_limit and _over_rate_limit(parsed.sender_email):
        return hold(
            QuarantineReason.RATE_LIMITED,
            _("More than %(n)d messages in %(m)d minutes from %(sender)s.")
            % {
                "n": settings.EMAIL_RATE_LIMIT,
                "m": settings.EMAIL_RATE_WINDOW_MINUTES,
                "sender": parsed.sender_email,
            },
            parsed,
        )

    number = thread_ticket.number if thread_ticket is not None else parsed.ticket_token
    on_ticket = number is not None and _participant(number, parsed.sender_email)
    receiving = RECEIVING_MAILBOX.set(mailbox)
    try:
        with transaction.atomic():
            result = ingest(_inbound(parsed, raw, mailbox, number, on_ticket=on_ticket))
            if not result.duplicate:
                MessageRef.objects.create(
                    message_id=parsed.message_id,
                    ticket=result.ticket,
                    ticket_message=result.message,
                    mailbox=mailbox,
                    direction=RefDirection.INBOUND,
                    sender=parsed.sender_email,
                )
                _participants_add(result.ticket, parsed, ours, on_ticket=on_ticket)
    except InboundConflict as exc:
        return hold(QuarantineReason.CONFLICT, exc.message, parsed)
    except InboundRejected as exc:
        reason = (
            QuarantineReason.UNROUTABLE
            if "organization" in exc.errors
            else QuarantineReason.REJECTED
        )
        detail = "; ".join([exc.message, *(f"{k}: {v}" for k, v in exc.errors.items())])
        return hold(reason, detail, parsed)
    finally:
        RECEIVING_MAILBOX.reset(receiving)
    if result.duplicate:
        return Received(DUPLICATE, ticket=result.ticket)
    return Received(TICKET, ticket=result.ticket, created=result.created)


def _earlier(message_id: str) -> Received | None:
    receipt = (
        InboundReceipt.objects.filter(channel=Channel.EMAIL, source_id=message_id)
        .select_related("ticket")
        .first()
    )
    if receipt is not None:
        return Received(DUPLICATE, ticket=receipt.ticket)
    ref = MessageRef.objects.filter(message_id=message_id).select_related("ticket").first()
    if ref is not None:  # a note recorded before, or our own mail come back
        return Received(DUPLICATE, ticket=ref.ticket)
    return None


def _over_rate_limit(sender: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.EMAIL_RATE_WINDOW_MINUTES)
    recent = MessageRef.objects.filter(
        sender=sender, direction=RefDirection.INBOUND, created_at__gte=since
    )
    return recent.count() >= settings.EMAIL_RATE_LIMIT


def _subject(parsed: ParsedEmail) -> str:
    # A token is a pointer, not part of the title: a new ticket must not carry another's.
    subject = _TOKENS.sub(" ", parsed.subject).strip()
    return subject or _("(no subject)")


def _participant(number: int, sender: str) -> bool:
    """Whether the sender was CC'd on the ticket's mail (and so is on it, wherever from)."""
    return Participant.objects.filter(ticket__number=number, email=sender).exists()


def _inbound(
    parsed: ParsedEmail,
    raw: bytes,
    mailbox: Mailbox | None,
    number: int | None,
    *,
    on_ticket: bool = False,
) -> Inbound:
    attachments = list(parsed.attachments)
    if parsed.trimmed:
        # The display shows the new text only; the full original stays with the message.
        attachments.append(
            InboundAttachment(filename="original.eml", content=raw, content_type="message/rfc822")
        )
    return Inbound(
        channel=Channel.EMAIL,
        source_id=parsed.message_id,
        sender_email=parsed.sender_email,
        sender_name=parsed.sender_name,
        subject=_subject(parsed),
        body_text=parsed.body_text,
        body_html=parsed.body_html,
        # A participant writes as who they are: the mailbox's organisation is not theirs.
        organization=mailbox.organization if mailbox is not None and not on_ticket else None,
        ticket_number=number,
        sender_on_ticket=on_ticket,
        attachments=tuple(attachments),
        extra={
            "mailbox": mailbox.pk if mailbox is not None else None,
            "cc": [address for _name, address in parsed.cc],
        },
    )


def our_addresses() -> set[str]:
    addresses: set[str] = set()
    for from_address, username in Mailbox.objects.values_list("from_address", "username"):
        addresses.add(from_address.lower())
        if "@" in username:
            addresses.add(username.lower())
    return addresses


def _participants_add(
    ticket: Ticket, parsed: ParsedEmail, ours: set[str], *, on_ticket: bool
) -> None:
    """The CC'd become participants; so does a sender who is on the ticket only as a
    participant (their reply may have opened a follow-up, which they must hear about)."""
    people = [*parsed.cc, *([(parsed.sender_name, parsed.sender_email)] if on_ticket else [])]
    skip = ours | {ticket.requester.email.lower()}
    for name, address in people:
        if address not in skip:
            Participant.objects.get_or_create(
                ticket=ticket, email=address, defaults={"name": name[:200]}
            )


def _automatic(parsed, raw, mailbox, thread_ticket, hold) -> Received:
    """Auto-replies and bounces never reach ingest (which would confirm to the sender):
    they become internal notes on the ticket they concern, or wait in quarantine."""
    if parsed.automatic == BOUNCE:
        ticket = ticket_for_message_ids(parsed.bounced_ids, direction=RefDirection.OUTBOUND)
        ticket = ticket or thread_ticket
        if ticket is None:
            return hold(
                QuarantineReason.LOOP, _("A delivery report about no mail of ours."), parsed
            )
        text = (
            _("Our email could not be delivered:") + "\n\n" + (parsed.bounce_text or parsed.subject)
        )
        return _note(ticket, parsed, mailbox, text, action="ticket.email_bounced")
    ticket = thread_ticket or _token_ticket(parsed)
    if ticket is None or own_message(parsed.message_id):
        return hold(QuarantineReason.LOOP, _("An automatic message not about a ticket."), parsed)
    text = _("Automatic reply from %(sender)s:") % {"sender": parsed.sender_email}
    return _note(
        ticket, parsed, mailbox, f"{text}\n\n{parsed.body_text}", action="ticket.email_auto_reply"
    )


def _token_ticket(parsed: ParsedEmail) -> Ticket | None:
    """The subject's ticket, only when the sender is a known user who may see it."""
    if parsed.ticket_token is None:
        return None
    user = User.objects.filter(email=parsed.sender_email, is_active=True).first()
    if user is None:
        return None
    return selectors.ticket_queryset(user=user).filter(number=parsed.ticket_token).first()


@transaction.atomic
def _note(
    ticket: Ticket, parsed: ParsedEmail, mailbox: Mailbox | None, text: str, *, action: str
) -> Received:
    message = Message.objects.create(
        ticket=ticket,
        author=None,
        is_internal=True,
        direction=Direction.INTERNAL,
        body_text=text[: settings.MESSAGE_MAX_CHARS],
        channel=Channel.EMAIL,
        source_id=parsed.message_id,
    )
    MessageRef.objects.create(
        message_id=parsed.message_id,
        ticket=ticket,
        ticket_message=message,
        mailbox=mailbox,
        direction=RefDirection.INBOUND,
        sender=parsed.sender_email,
    )
    event_record(ticket, actor=None, kind=EventKind.NOTE, message=message.pk, source="email")
    audit_record(actor=None, action=action, obj=ticket, organization=ticket.organization)
    return Received(NOTE, ticket=ticket)
