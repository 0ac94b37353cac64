"""Call events become tickets: an answered call a ticket (or a note on the open one), a
missed call a "call back" ticket; every (call, event) counts once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.channels.phone.models import (
    CallEventKind,
    PhoneCall,
    PhoneCallEvent,
    PhoneIntegration,
)
from dutydesk.channels.phone.parse import CallEvent
from dutydesk.core.services import audit_record
from dutydesk.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import ACTIVE_STATUSES, Message, Priority, Ticket, TicketType
from dutydesk.tickets.services import ingest, ticket_assign, ticket_reply

CONTACT_DOMAIN = "phone.invalid"  # RFC 2606: a generated contact's address is never mailed
# A missed call is a client waiting for us: P2 has the shortest first-response target that
# does not page the on-call engineer as a P1 incident would (60 minutes by default).
CALL_BACK_PRIORITY = Priority.P2
CALL_BACK_TYPE = TicketType.REQUEST
CALL_BACK_CATEGORY = "call back"


@dataclass(frozen=True)
class CallResult:
    call: PhoneCall
    ticket: Ticket | None
    duplicate: bool = False


def digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def _same_number(a: str, b: str) -> bool:
    """Equal digits, or the same last 10 digits (8 495… and +7 495… are one number)."""
    a, b = digits(a), digits(b)
    if not a or not b:
        return False
    return a == b or (len(a) >= 10 and len(b) >= 10 and a[-10:] == b[-10:])


def contact_by_phone(number: str) -> User | None:
    """The active client contact with this phone number, if exactly one has it."""
    tail = digits(number)[-4:]
    if len(tail) < 4:
        return None
    found = [
        user
        for user in User.objects.select_related("organization").filter(
            role=Role.CUSTOMER, is_active=True, phone__contains=tail[-2:]
        )
        if _same_number(user.phone, number)
    ]
    return found[0] if len(found) == 1 else None


def contact_email(number: str) -> str:
    return f"phone-{digits(number) or 'unknown'}@{CONTACT_DOMAIN}"


def phone_integration_create(
    *, name: str, organization: Organization, by: User | None
) -> tuple[PhoneIntegration, str]:
    """A new integration and its signing secret (shown once; stored encrypted)."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        integration = PhoneIntegration(name=name, organization=organization)
        integration.secret = secret
        integration.save()
        audit_record(
            actor=by, action="phone.integration_created", obj=integration, organization=None
        )
    return integration, secret


def phone_event_process(*, integration: PhoneIntegration, event: CallEvent) -> CallResult:
    """Apply one call event once; everything it creates commits together or not at all."""
    try:
        with transaction.atomic():
            return _process(integration, event)
    except IntegrityError:
        # The same call or event arrived concurrently and committed first.
        with transaction.atomic():
            return _process(integration, event)


def _process(integration: PhoneIntegration, event: CallEvent) -> CallResult:
    call, _created = PhoneCall.objects.get_or_create(
        integration=integration,
        call_id=event.call_id,
        defaults={"caller": event.caller, "callee": event.callee, "status": event.event},
    )
    call = (
        PhoneCall.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=call.pk)
    )
    if PhoneCallEvent.objects.filter(call=call, event=event.event).exists():
        return CallResult(call=call, ticket=call.ticket, duplicate=True)
    agent = _agent(event.agent or call.agent_email)
    call.status = event.event
    call.callee = event.callee or call.callee
    call.agent_email = event.agent or call.agent_email
    call.started_at = event.started_at or call.started_at
    if event.duration is not None:
        call.duration_seconds = event.duration
    call.recording_url = event.recording_url or call.recording_url
    call.contact = call.contact or contact_by_phone(event.caller)
    if event.event == CallEventKind.ANSWERED and call.ticket is None:
        call.ticket = _answered(integration, call, agent)
    elif event.event == CallEventKind.MISSED and call.ticket is None:
        call.ticket = _missed(integration, call)
    elif event.event == CallEventKind.ENDED and call.ticket is not None and agent is not None:
        _ended_note(call, agent)
    call.save()
    PhoneCallEvent.objects.create(call=call, event=event.event, payload=_payload(event))
    return CallResult(call=call, ticket=call.ticket)


def _payload(event: CallEvent) -> dict:
    return {
        "caller": event.caller,
        "callee": event.callee,
        "agent": event.agent,
        "started_at": event.started_at.isoformat() if event.started_at else None,
        "duration": event.duration,
        "recording_url": event.recording_url,
    }


def _agent(email: str) -> User | None:
    if not email:
        return None
    user = User.objects.filter(email=email.lower(), is_active=True).first()
    return user if user is not None and user.is_agent else None


def _inbound(integration: PhoneIntegration, call: PhoneCall, **fields) -> Inbound:
    contact = call.contact
    return Inbound(
        channel="phone",
        source_id=f"{integration.pk}:{call.call_id}:{call.status}",
        sender_email=contact.email if contact else contact_email(call.caller),
        sender_name=contact.name if contact else call.caller,
        organization=None if contact else integration.organization,
        extra={"call_id": call.call_id},
        **fields,
    )


def _when(call: PhoneCall) -> str:
    started = call.started_at or timezone.now()
    return started.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M %Z")


def _answered(integration: PhoneIntegration, call: PhoneCall, agent: User | None) -> Ticket:
    """Note the call on the contact's open ticket, or open one for the agent to fill in."""
    summary = _("Phone call from %(caller)s to %(callee)s at %(when)s, answered by %(agent)s.") % {
        "caller": call.caller,
        "callee": call.callee or "—",
        "when": _when(call),
        "agent": agent.display_name if agent else (call.agent_email or _("an agent")),
    }
    open_ticket = (
        Ticket.objects.filter(requester=call.contact, status__in=ACTIVE_STATUSES)
        .order_by("-updated_at")
        .first()
        if call.contact is not None
        else None
    )
    if open_ticket is not None and agent is not None:
        ticket_reply(ticket=open_ticket, by=agent, body=summary, internal=True)
        return open_ticket
    result = ingest(
        _inbound(
            integration,
            call,
            subject=_("Phone call from %(caller)s") % {"caller": call.caller},
            body_text=summary + "\n\n" + _("(Write down what the client asked for.)"),
            ticket_number=open_ticket.number if open_ticket else None,
        )
    )
    _withdraw_mail(result.ticket)
    if result.created and agent is not None:
        ticket_assign(ticket=result.ticket, assignee=agent, by=agent)
    return result.ticket


def _missed(integration: PhoneIntegration, call: PhoneCall) -> Ticket:
    body = _("Missed call from %(caller)s to %(callee)s at %(when)s. Call the client back.") % {
        "caller": call.caller,
        "callee": call.callee or "—",
        "when": _when(call),
    }
    result = ingest(
        _inbound(
            integration,
            call,
            subject=_("Call back: missed call from %(caller)s") % {"caller": call.caller},
            body_text=body,
            priority=CALL_BACK_PRIORITY,
            type=CALL_BACK_TYPE,
            category=CALL_BACK_CATEGORY,
        )
    )
    _withdraw_mail(result.ticket)
    return result.ticket


def _ended_note(call: PhoneCall, agent: User) -> None:
    ticket = Ticket.objects.get(pk=call.ticket_id)
    parts = [_("Call ended.")]
    if call.duration_seconds is not None:
        minutes, seconds = divmod(call.duration_seconds, 60)
        parts.append(_("Duration %(m)d:%(s)02d.") % {"m": minutes, "s": seconds})
    if call.recording_url:
        parts.append(_("Recording: %(url)s") % {"url": call.recording_url})
    ticket_reply(ticket=ticket, by=agent, body=" ".join(parts), internal=True)


def _withdraw_mail(ticket: Ticket) -> None:
    """Generated contacts have no mailbox: their email notices are cancelled, not bounced."""
    Delivery.objects.filter(
        ticket=ticket,
        channel=DeliveryChannel.EMAIL,
        status=DeliveryStatus.PENDING,
        recipient__endswith=f"@{CONTACT_DOMAIN}",
    ).update(
        status=DeliveryStatus.CANCELLED,
        next_attempt_at=None,
        last_error="phone contact without a mailbox",
    )


def phone_reply_transport(ticket: Ticket, message: Message) -> bool:
    """Replies on a phone ticket of a contact without a mailbox stay in DutyDesk (the agent
    calls back); a contact with a real address gets them by email."""
    return ticket.requester.email.endswith(f"@{CONTACT_DOMAIN}")
