"""What DutyDesk tells people about a ticket; each notice is an outbox delivery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Role, Team, User
from dutydesk.notify.services import delivery_queue
from dutydesk.tickets.models import Channel, Message, Ticket
from dutydesk.tickets.services.placeholders import confirmation_text
from dutydesk.tickets.services.promises import promised_deadline, promised_response


def _language(user: User | None, ticket: Ticket) -> str:
    return (user.language if user else "") or ticket.organization.language or settings.LANGUAGE_CODE


# The email channel threads mail to the client (Message-ID, In-Reply-To, References,
# the mailbox's From, CC'd participants, attachments); it registers here so that tickets
# need not import it. It returns the delivery's payload and may record the Message-ID.
EmailThreader = Callable[[Ticket, str, Message | None], dict]
EMAIL_THREADERS: list[EmailThreader] = []

# Contacts without a mailbox get addresses in the reserved ".invalid" domain (RFC 2606).
UNDELIVERABLE_SUFFIX = ".invalid"

# Notices a program sends on its own: marked so that auto-responders do not answer them.
AUTOMATIC_KINDS = {"ticket_confirmation"}

# An answer to a client who wrote by email is the conversation itself, not a notice: it
# goes even to someone who turned notices off on their profile.
CONVERSATION_KINDS = {"agent_reply"}


def _wants(user: User, kind: str, ticket: Ticket) -> bool:
    return user.notify_email or (kind in CONVERSATION_KINDS and ticket.channel == Channel.EMAIL)


def _team_queue(team: Team | None) -> list[User | str]:
    """Where a team's queue is told: its shared address, else each member who asked to be
    told about the whole queue rather than only about tickets assigned to them."""
    if team is None:
        return []
    if team.email:
        return [team.email]
    members = team.members.filter(is_active=True, notify_assigned_only=False).exclude(email="")
    return list(members.order_by("pk"))


def email_threader_register(threader: EmailThreader) -> None:
    EMAIL_THREADERS[:] = [threader]


def _render_html(template: str, context: dict) -> str:
    try:
        return render_to_string(f"tickets/email/{template}.html", context)
    except TemplateDoesNotExist:
        return ""


def _queue(
    kind: str,
    *,
    ticket: Ticket,
    to: User | str,
    subject: str,
    template: str,
    message: Message | None = None,
    text: str | None = None,
    **context,
) -> None:
    """Queue one notice; ``text`` replaces the template's body (an organisation's own wording)."""
    recipient = to.email if isinstance(to, User) else to
    if recipient.endswith(UNDELIVERABLE_SUFFIX):
        return  # a contact made from a Telegram profile or a phone number has no mailbox
    user = to if isinstance(to, User) else None
    if user is not None and not _wants(user, kind, ticket):
        return
    headers = {"X-DutyDesk-Ticket": str(ticket.number)}
    if kind in AUTOMATIC_KINDS:
        headers.update({"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"})
    with translation.override(_language(user, ticket)):
        context = {
            "ticket": ticket,
            "recipient": user,
            "base_url": settings.BASE_URL,
            "message": message,
            **context,
        }
        body = (
            text if text is not None else render_to_string(f"tickets/email/{template}.txt", context)
        )
        payload: dict = {}
        if user is not None and user == ticket.requester:
            for threader in EMAIL_THREADERS:
                payload.update(threader(ticket, kind, message))
        if text is None and (html := _render_html(template, context)):
            payload["html"] = html
        delivery_queue(
            kind=kind,
            recipient=recipient,
            subject=" ".join(filter(None, [f"[{ticket.reference}]", str(subject), ticket.subject])),
            body=body,
            ticket=ticket,
            headers=headers,
            payload=payload,
        )


def notify_ticket_created(ticket: Ticket) -> None:
    """Confirm to the client, with the number and the promised time; tell the team's queue."""
    if ticket.requester.is_active and ticket.requester.email:
        with translation.override(_language(ticket.requester, ticket)):
            promise = promised_response(ticket)
            deadline = promised_deadline(ticket, ticket.requester)
        own_wording = confirmation_text(ticket)
        _queue(
            "ticket_confirmation",
            ticket=ticket,
            to=ticket.requester,
            subject="",
            template="confirmation",
            promise=promise,
            deadline=deadline,
            text=own_wording,
        )
    for to in _team_queue(ticket.team):
        _queue(
            "ticket_new_for_team",
            ticket=ticket,
            to=to,
            subject=_("New ticket:"),
            template="new_for_team",
        )


def notify_assigned(ticket: Ticket, *, by: User | None) -> None:
    if ticket.assignee and ticket.assignee != by and ticket.assignee.email:
        _queue(
            "ticket_assigned",
            ticket=ticket,
            to=ticket.assignee,
            subject=_("Assigned to you:"),
            template="assigned",
            by=by,
        )


def notify_client_message(ticket: Ticket, message: Message) -> None:
    """A client wrote: tell the assignee, or the team's queue when nobody has the ticket."""
    for to in [ticket.assignee] if ticket.assignee else _team_queue(ticket.team):
        _queue(
            "client_message",
            ticket=ticket,
            to=to,
            subject=_("Client replied:"),
            template="client_message",
            message=message,
        )


# A channel that answers on its own transport (Telegram) registers a function here; it
# returns True when it queued the reply, and email is the fallback otherwise.
ReplyTransport = Callable[[Ticket, Message], bool]
REPLY_TRANSPORTS: dict[str, ReplyTransport] = {}


def reply_transport_register(channel: str, transport: ReplyTransport) -> None:
    REPLY_TRANSPORTS[channel] = transport


def notify_agent_reply(ticket: Ticket, message: Message) -> None:
    transport = REPLY_TRANSPORTS.get(ticket.channel)
    if transport is not None and transport(ticket, message):
        return
    if ticket.requester.is_active and ticket.requester.email:
        _queue(
            "agent_reply",
            ticket=ticket,
            to=ticket.requester,
            subject="",
            template="agent_reply",
            message=message,
        )


# The SLA sweep passes targets and levels as their stored values.
SLA_TARGET_NAMES = {
    "first_response": _("first response"),
    "next_response": _("next response"),
    "resolution": _("resolution"),
}
SLA_DUES = {
    "first_response": "first_response_due",
    "next_response": "next_response_due",
    "resolution": "resolution_due",
}


def _sla_context(ticket: Ticket, target: str, due: datetime | None) -> dict:
    return {
        "target_name": SLA_TARGET_NAMES[target],
        "due": due or getattr(ticket, SLA_DUES[target]),
    }


def notify_sla_warning(
    ticket: Ticket, target: str, level: str, *, due: datetime | None = None
) -> None:
    """A clock nears its due: tell the assignee, or the team's queue when nobody has it."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        recipients: list[User | str] = [assignee]
    else:
        recipients = _team_queue(ticket.team)
    for to in recipients:
        _queue(
            "sla_warning",
            ticket=ticket,
            to=to,
            subject=_("SLA warning:"),
            template="sla_warning",
            level=level,
            **_sla_context(ticket, target, due),
        )


def notify_sla_breach(ticket: Ticket, target: str, *, due: datetime | None = None) -> None:
    """A clock passed its due: tell the team's queue and every active supervisor."""
    recipients = _team_queue(ticket.team)
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).exclude(email="")
    recipients.extend(s for s in supervisors.order_by("pk") if s not in recipients)
    for to in recipients:
        _queue(
            "sla_breach",
            ticket=ticket,
            to=to,
            subject=_("SLA breached:"),
            template="sla_breach",
            **_sla_context(ticket, target, due),
        )


def notify_escalated(ticket: Ticket, *, by: User | None, note: Message) -> None:
    """The target team's queue gets the escalation note itself."""
    for to in _team_queue(ticket.team):
        _queue(
            "ticket_escalated",
            ticket=ticket,
            to=to,
            subject=_("Escalated:"),
            template="escalated",
            by=by,
            note=note.body_text,
        )
