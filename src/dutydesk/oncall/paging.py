"""Pages: open one for a ticket, walk its team's escalation chain, acknowledge, resolve.

The chain's next step is ``Page.next_step_at``; ``oncall.sweep`` claims due pages, and a
Huey task scheduled at that instant is only the fast path. Every notification goes
through the outbox and into the ticket's timeline and the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Role, Team, User
from dutydesk.channels.telegram.services import telegram_chat_of
from dutydesk.core.services import audit_record
from dutydesk.notify.models import Delivery
from dutydesk.notify.services import deliveries_cancel, delivery_queue
from dutydesk.oncall.models import (
    ContactKind,
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    Fallback,
    Page,
    PageNotification,
    PageStatus,
    StepChannel,
    Target,
)
from dutydesk.oncall.selectors import on_call_now
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import Priority, Ticket, TicketType
from dutydesk.tickets.services.actions import ticket_assign
from dutydesk.tickets.services.events import event_record

logger = logging.getLogger(__name__)

# Timeline kinds of the on-call app (TicketEvent.kind is free text up to 20 characters).
EVENT_PAGED = "page"
EVENT_PAGE_ACK = "page_ack"
EVENT_PAGE_RESOLVED = "page_resolved"
ACK_SALT = "dutydesk.oncall.ack"


class Reason:
    """Reasons other apps page with; any short string works, these are the known ones."""

    URGENT = "urgent"  # a P1/P2 incident
    SLA_BREACH = "sla_breach"
    UNANSWERED = "unanswered"  # the 30-minute unanswered-message rule
    ALERT = "alert"  # monitoring
    MANUAL = "manual"


# --- recipients --------------------------------------------------------------------------


def supervisors() -> list[User]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk"))


def team_members(team: Team | None) -> list[User]:
    if team is None:
        return []
    return list(team.members.filter(is_active=True).order_by("pk"))


def step_recipients(step: EscalationStep, at: datetime) -> list[User]:
    if step.target == Target.SCHEDULE and step.schedule is not None:
        user_id = on_call_now(step.schedule, at)
        return list(User.objects.filter(pk=user_id, is_active=True)) if user_id else []
    if step.target == Target.USER and step.user is not None:
        return [step.user] if step.user.is_active else []
    if step.target == Target.TEAM:
        return team_members(step.team)
    if step.target == Target.SUPERVISORS:
        return supervisors()
    return []


def fallback_recipients(policy: EscalationPolicy | None, team: Team | None) -> list[User]:
    """Whoever can act when a step finds nobody: never an empty list while anyone exists."""
    order = [policy.fallback if policy else Fallback.TEAM]
    order.append(Fallback.SUPERVISORS if order[0] == Fallback.TEAM else Fallback.TEAM)
    for choice in order:
        people = team_members(team) if choice == Fallback.TEAM else supervisors()
        if people:
            return people
    return list(
        User.objects.filter(role__in=[Role.MANAGER, Role.ADMIN], is_active=True).order_by("pk")
    )


def addresses(user: User, channel: str) -> list[tuple[str, str]]:
    """(channel, address) pairs to reach the user by; email when the channel has none."""
    methods = [
        (m.kind, m.address)
        for m in ContactMethod.objects.filter(user=user, is_active=True).order_by("kind", "pk")
    ]
    if not any(kind == ContactKind.EMAIL for kind, _a in methods) and user.email:
        methods.insert(0, (ContactKind.EMAIL, user.email))
    if not any(kind == ContactKind.TELEGRAM for kind, _a in methods):
        chat = telegram_chat_of(user)  # the chat the person linked in the Telegram channel
        if chat is not None:
            methods.append((ContactKind.TELEGRAM, str(chat)))
    if channel == StepChannel.ALL:
        return methods
    chosen = [(k, a) for k, a in methods if k == channel]
    return chosen or [(k, a) for k, a in methods if k == ContactKind.EMAIL]


# --- acknowledge links -------------------------------------------------------------------


def ack_token(page: Page, user: User) -> str:
    return signing.dumps({"p": page.pk, "u": user.pk}, salt=ACK_SALT)


def ack_token_read(token: str) -> tuple[int, int] | None:
    """(page id, user id) of a valid, unexpired link; None otherwise."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=settings.ONCALL_ACK_LINK_MAX_AGE)
        return int(data["p"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def ack_url(page: Page, user: User) -> str:
    return settings.BASE_URL + reverse("oncall-ack", args=[ack_token(page, user)])


# --- notifications -----------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    step_index: int
    repeat: int
    fallback: bool = False


def _message(page: Page) -> tuple[str, str]:
    ticket = page.ticket
    subject = _("[%(priority)s] Page %(ref)s: %(subject)s") % {
        "priority": ticket.priority,
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    body = _("Reason: %(reason)s\nClient: %(client)s\nTicket: %(ref)s %(subject)s\n") % {
        "reason": page.reason,
        "client": ticket.organization,
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    return subject, body


def _notify(page: Page, people: list[User], channel: str, at: datetime, round_: Round) -> int:
    subject, body = _message(page)
    sent = 0
    for person in people:
        for kind, address in addresses(person, channel):
            if kind == ContactKind.EMAIL:
                text = body + "\n" + _("Acknowledge: %(url)s") % {"url": ack_url(page, person)}
                delivery = delivery_queue(
                    kind="page", recipient=address, subject=subject, body=text, ticket=page.ticket
                )
            elif kind == ContactKind.TELEGRAM:
                delivery = delivery_queue(
                    kind="page",
                    channel="telegram",
                    recipient=address,
                    subject=subject,
                    body=f"{subject}\n{body}",
                    ticket=page.ticket,
                    payload={
                        "chat_id": address,
                        "buttons": [
                            {"text": _("Acknowledge"), "action": "page_ack", "ref": str(page.pk)},
                            {"text": _("Resolve"), "action": "page_resolve", "ref": str(page.pk)},
                        ],
                    },
                )
            else:
                delivery = delivery_queue(
                    kind="page",
                    channel="webhook",
                    recipient=address,
                    subject=subject,
                    body=body,
                    ticket=page.ticket,
                    payload={"json": _webhook_document(page, person)},
                )
            PageNotification.objects.create(
                page=page,
                user=person,
                channel=kind,
                address=address,
                step_index=round_.step_index,
                repeat=round_.repeat,
                fallback=round_.fallback,
                delivery=delivery,
                created_at=at,
            )
            sent += 1
    event_record(
        page.ticket,
        actor=None,
        kind=EVENT_PAGED,
        new=", ".join(p.email for p in people)[:255],
        page=page.pk,
        reason=page.reason,
        step=round_.step_index,
        repeat=round_.repeat,
        fallback=round_.fallback,
        channel=channel,
    )
    audit_record(
        actor=None,
        action="page.notified",
        obj=page,
        changes={"notified": (None, ", ".join(p.email for p in people))},
        organization=page.ticket.organization,
    )
    return sent


def _webhook_document(page: Page, person: User) -> dict:
    ticket = page.ticket
    return {
        "event": "page",
        "page": page.pk,
        "reason": page.reason,
        "ticket": ticket.number,
        "subject": ticket.subject,
        "priority": ticket.priority,
        "to": person.email,
    }


# --- the chain -----------------------------------------------------------------------------


def _steps(page: Page) -> list[EscalationStep]:
    if page.policy is None:
        return []
    return list(page.policy.steps.select_related("schedule", "user", "team").order_by("position"))


def page_advance(page: Page, *, now: datetime) -> None:
    """Run the page's due step and set when the next is due; the caller holds the row lock.

    The chain runs ``1 + repeat`` times; after that the last step's people and the
    fallback are reminded every ``ONCALL_REMIND_MINUTES`` until someone acts (0: stop).
    """
    steps = _steps(page)
    repeats = page.policy.repeat if page.policy else settings.ONCALL_DEFAULT_REPEAT
    if page.repeat > repeats:
        people = step_recipients(steps[-1], now) if steps else []
        known = {p.pk for p in people}
        people += [p for p in fallback_recipients(page.policy, page.team) if p.pk not in known]
        _notify(page, people, StepChannel.ALL, now, Round(page.step_index, page.repeat, True))
        remind = settings.ONCALL_REMIND_MINUTES
        page.next_step_at = now + timedelta(minutes=remind) if remind else None
    elif not steps:
        # No policy, or one without steps: the fallback, every default interval.
        people = fallback_recipients(page.policy, page.team)
        _notify(page, people, StepChannel.ALL, now, Round(0, page.repeat, fallback=True))
        page.repeat += 1
        page.next_step_at = now + timedelta(minutes=settings.ONCALL_DEFAULT_WAIT_MINUTES)
    else:
        step = steps[min(page.step_index, len(steps) - 1)]
        people = step_recipients(step, now)
        fallback = not people
        if fallback:
            people = fallback_recipients(page.policy, page.team)
        _notify(page, people, step.channel, now, Round(page.step_index, page.repeat, fallback))
        page.step_index += 1
        if page.step_index >= len(steps):
            page.step_index = 0
            page.repeat += 1
        page.next_step_at = now + timedelta(minutes=step.wait_minutes)
    page.notified_count += 1
    page.save(update_fields=["step_index", "repeat", "next_step_at", "notified_count"])
    if page.next_step_at is not None:
        _schedule_fast_path(page.pk, page.next_step_at)


def _schedule_fast_path(page_id: int, at: datetime) -> None:
    from dutydesk.oncall import tasks  # tasks import this module; the fast path is optional

    transaction.on_commit(lambda: tasks.page_step_later(page_id, at))


# --- the services other apps call -----------------------------------------------------------


def policy_for(team: Team | None) -> EscalationPolicy | None:
    if team is None:
        return None
    return EscalationPolicy.objects.filter(team=team).first()


@transaction.atomic
def page_open(*, ticket: Ticket, reason: str, team: Team | None = None) -> Page:
    """Open a page and notify its first step now; while one for this ticket and reason is
    open or acknowledged, return that one instead."""
    live = Page.objects.filter(ticket=ticket, reason=reason).exclude(status=PageStatus.RESOLVED)
    existing = live.first()
    if existing is not None:
        return existing
    team = team or ticket.team
    now = timezone.now()
    try:
        with transaction.atomic():
            page = Page.objects.create(
                ticket=ticket,
                team=team,
                policy=policy_for(team),
                reason=reason[:100],
                created_at=now,
                next_step_at=now,
            )
    except IntegrityError:  # another transaction opened it first
        return live.get()
    audit_record(
        actor=None,
        action="page.opened",
        obj=page,
        changes={"reason": (None, reason)},
        organization=ticket.organization,
    )
    # The new row is ours until commit (nobody else can see it), so no lock is needed.
    page_advance(page, now=now)
    return page


def page_if_urgent(*, ticket: Ticket) -> Page | None:
    """The hook for new tickets: P1/P2 incidents page their team's on-call."""
    if ticket.type == TicketType.INCIDENT and ticket.priority in (Priority.P1, Priority.P2):
        return page_open(ticket=ticket, reason=Reason.URGENT)
    return None


def _locked(page: Page) -> Page:
    return Page.objects.select_for_update().select_related("ticket__organization").get(pk=page.pk)


def _cancel_unsent(page: Page, reason: str) -> None:
    ids = page.notifications.exclude(delivery=None).values_list("delivery_id", flat=True)
    deliveries_cancel(Delivery.objects.filter(pk__in=list(ids)), reason=reason)


@transaction.atomic
def page_acknowledge(*, page: Page, by: User) -> Page:
    """Stop the escalation and give the ticket to ``by``; a second acknowledgement (by
    anyone) changes nothing and returns the page as the first one left it."""
    if not (by.is_active and by.is_agent):
        raise ActionRefused(_("Only support staff can do this."))
    page = _locked(page)
    if page.status != PageStatus.OPEN:
        return page
    now = timezone.now()
    page.status = PageStatus.ACKNOWLEDGED
    page.acknowledged_by = by
    page.acknowledged_at = now
    page.next_step_at = None
    page.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "next_step_at"])
    _cancel_unsent(page, "acknowledged")
    event_record(
        page.ticket,
        actor=by,
        kind=EVENT_PAGE_ACK,
        new=by.email,
        page=page.pk,
        reason=page.reason,
        seconds=int((now - page.created_at).total_seconds()),
    )
    audit_record(
        actor=by,
        action="page.acknowledged",
        obj=page,
        changes={"status": (PageStatus.OPEN, PageStatus.ACKNOWLEDGED)},
        organization=page.ticket.organization,
    )
    ticket_assign(ticket=page.ticket, assignee=by, by=by)
    return page


@transaction.atomic
def page_resolve(*, page: Page, by: User | None) -> Page:
    """Close the page (not the ticket); resolving twice changes nothing."""
    if by is not None and not (by.is_active and by.is_agent):
        raise ActionRefused(_("Only support staff can do this."))
    page = _locked(page)
    if page.status == PageStatus.RESOLVED:
        return page
    old = page.status
    page.status = PageStatus.RESOLVED
    page.resolved_by = by
    page.resolved_at = timezone.now()
    page.next_step_at = None
    page.save(update_fields=["status", "resolved_by", "resolved_at", "next_step_at"])
    _cancel_unsent(page, "resolved")
    event_record(page.ticket, actor=by, kind=EVENT_PAGE_RESOLVED, new=page.reason, page=page.pk)
    audit_record(
        actor=by,
        action="page.resolved",
        obj=page,
        changes={"status": (old, PageStatus.RESOLVED)},
        organization=page.ticket.organization,
    )
    return page


def pages_resolve_for_ticket(*, ticket: Ticket, by: User | None) -> int:
    """Resolve every live page of a ticket (the ticket was resolved, the alert cleared)."""
    live = Page.objects.filter(ticket=ticket).exclude(status=PageStatus.RESOLVED)
    return sum(1 for page in live if page_resolve(page=page, by=by))


def page_button_pressed(*, user: User, action: str, ref: str) -> str:
    """A Telegram "Acknowledge"/"Resolve" button (actions ``page_ack``/``page_resolve``)
    pressed by the linked ``user``; returns the answer shown to them."""
    page = Page.objects.select_related("ticket").get(pk=int(ref))
    if action == "page_ack":
        page = page_acknowledge(page=page, by=user)
        who = page.acknowledged_by.display_name if page.acknowledged_by else ""
        return _("Page for %(ref)s acknowledged by %(who)s.") % {
            "ref": page.ticket.reference,
            "who": who,
        }
    page = page_resolve(page=page, by=user)
    return _("Page for %(ref)s resolved.") % {"ref": page.ticket.reference}
