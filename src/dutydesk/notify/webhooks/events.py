"""The webhook events, which timeline events they come from, and their JSON documents."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dutydesk.tickets.models import Channel, EventKind, Message, Status, Ticket, TicketEvent

# Name → what it means; the API validates subscriptions against these names.
EVENTS: dict[str, Any] = {
    "ticket.created": _("A ticket was opened (by any channel)."),
    "ticket.updated": _("Status, priority, type, category, team, tier or assignee changed."),
    "ticket.replied": _("A public reply by an agent, or a message from the client."),
    "ticket.resolved": _("A ticket was resolved."),
    "ticket.closed": _("A ticket was closed."),
    "sla.warning": _("An SLA clock reached a warning level."),
    "sla.breach": _("An SLA clock passed its due time."),
    "page.opened": _("On-call was paged about a ticket (first notification of the page)."),
    "page.acknowledged": _("Someone on call acknowledged a page."),
    "page.resolved": _("A page was resolved."),
    "incident.opened": _("A monitoring check opened (or reopened) its incident ticket."),
    "incident.resolved": _("A monitoring incident ticket was resolved."),
}

# Sent only when an admin asks (API or Django admin), to any active subscription whatever
# its events; not in EVENTS because nobody subscribes to it.
TEST_EVENT = "webhook.test"

# Timeline kinds of the on-call app (free text on TicketEvent.kind).
PAGE_KINDS = {
    "page": "page.opened",
    "page_ack": "page.acknowledged",
    "page_resolved": "page.resolved",
}
UPDATE_KINDS = frozenset(
    {
        EventKind.STATUS,
        EventKind.PRIORITY,
        EventKind.TYPE,
        EventKind.CATEGORY,
        EventKind.TEAM,
        EventKind.TIER,
        EventKind.ASSIGNEE,
        EventKind.REOPENED,
        EventKind.MERGED,
        EventKind.LINKED,
        EventKind.ESCALATED,
        EventKind.DEESCALATED,
    }
)


def event_names(ticket: Ticket, event: TicketEvent) -> list[str]:
    """The webhook events one timeline event stands for (most stand for none or one)."""
    kind = event.kind
    incident = ticket.channel == Channel.MONITORING
    if kind == EventKind.CREATED:
        return ["ticket.created", "incident.opened"] if incident else ["ticket.created"]
    if kind in (EventKind.REPLY, EventKind.MESSAGE):
        return ["ticket.replied"]
    if kind == EventKind.STATUS and event.new_value == Status.RESOLVED:
        return ["ticket.resolved", "incident.resolved"] if incident else ["ticket.resolved"]
    if kind == EventKind.STATUS and event.new_value == Status.CLOSED:
        return ["ticket.closed"]
    if kind == EventKind.REOPENED and incident:
        return ["ticket.updated", "incident.opened"]
    if kind in UPDATE_KINDS:
        return ["ticket.updated"]
    if kind == EventKind.SLA_WARNING:
        return ["sla.warning"]
    if kind in (EventKind.SLA_BREACH, EventKind.SLA_UNANSWERED):
        return ["sla.breach"]
    if kind in PAGE_KINDS:
        data = event.data or {}
        # A page notifies its people step after step; only its very first round opens it.
        if kind == "page" and (data.get("step") or data.get("repeat")):
            return []
        return [PAGE_KINDS[kind]]
    return []


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: Any) -> dict[str, str] | None:
    return {"email": user.email, "name": user.name} if user is not None else None


def ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
    """The ticket as a receiver sees it (related rows are usually already loaded)."""
    org = ticket.organization
    return {
        "number": ticket.number,
        "reference": ticket.reference,
        "url": settings.BASE_URL + reverse("desk:ticket", args=[ticket.number]),
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "category": ticket.category,
        "channel": ticket.channel,
        "organization": {"slug": org.slug, "name": org.name},
        "requester": _person(ticket.requester),
        "assignee": _person(ticket.assignee) if ticket.assignee_id else None,
        "team": ticket.team.slug if ticket.team_id and ticket.team else None,
        "tier": ticket.tier,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "first_response_at": _iso(ticket.first_response_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
        "first_response_due": _iso(ticket.first_response_due),
        "resolution_due": _iso(ticket.resolution_due),
    }


def _message(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    return {
        "id": message.pk,
        "direction": message.direction,
        "channel": message.channel,
        "author": _person(message.author) if message.author_id else None,
        "body_text": message.body_text,
        "created_at": _iso(message.created_at),
    }


def change(event: TicketEvent) -> dict[str, Any]:
    return {"field": event.kind, "old": event.old_value, "new": event.new_value}


def event_data(name: str, ticket: Ticket, event: TicketEvent) -> dict[str, Any]:
    """What the document says beyond the ticket: the message, the change, the clock, the page."""
    data = event.data or {}
    if name == "ticket.created":
        first = ticket.messages.select_related("author").order_by("pk").first()
        return {"message": _message(first)}
    if name == "ticket.replied":
        message = Message.objects.select_related("author").filter(pk=data.get("message")).first()
        return {"message": _message(message)}
    if name == "ticket.updated":
        return {"changes": [change(event)]}
    if name.startswith("sla."):
        target = "unanswered" if event.kind == EventKind.SLA_UNANSWERED else event.new_value
        return {
            "sla": {"target": target, "level": data.get("level", "breach"), "due": data.get("due")}
        }
    if name.startswith("page."):
        page = {"id": data.get("page"), "reason": data.get("reason", event.new_value)}
        if name == "page.acknowledged":
            page |= {"acknowledged_by": event.new_value, "seconds": data.get("seconds")}
        return {"page": page}
    return {}


def document_new(name: str, ticket: Ticket, event: TicketEvent) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event": name,
        "created_at": _iso(timezone.now()),
        "data": {"ticket": ticket_snapshot(ticket), **event_data(name, ticket, event)},
    }


def document_test(subscription: Any, by: Any) -> dict[str, Any]:
    """The ``webhook.test`` document: the usual envelope, saying who asked to test what."""
    return {
        "id": str(uuid.uuid4()),
        "event": TEST_EVENT,
        "created_at": _iso(timezone.now()),
        "data": {
            "test": True,
            "message": "This is a test event sent on request by a DutyDesk admin.",
            "subscription": {"id": subscription.pk, "name": subscription.name},
            "requested_by": _person(by),
        },
    }


def document_text(document: dict[str, Any]) -> str:
    """The exact body that is signed and sent (compact, non-ASCII kept as UTF-8)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
