"""How tickets read on screen: SLA state, the merged timeline, event sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from dutydesk.tickets.models import (
    DONE_STATUSES,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

# A clock closer than this to its due is shown as at risk.
AT_RISK = timedelta(hours=1)


@dataclass(frozen=True)
class SlaState:
    due: datetime | None
    state: str  # ok, warn, bad, none
    label: str
    what: str


def running_dues(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The SLA dues still running: first response until answered, next response, resolution
    while the ticket is active and not waiting for the client, and a client message waiting
    for an answer (seed 004's limit)."""
    dues = []
    if ticket.first_response_due and ticket.first_response_at is None:
        dues.append((_("First response"), ticket.first_response_due))
    if ticket.next_response_due:
        dues.append((_("Next response"), ticket.next_response_due))
    if ticket.resolution_due and ticket.resolved_at is None and ticket.resolution_paused_at is None:
        dues.append((_("Resolution"), ticket.resolution_due))
    if ticket.unanswered_due:
        dues.append((_("Client waiting"), ticket.unanswered_due))
    return dues


def sla_state(ticket: Ticket, now: datetime) -> SlaState:
    if ticket.status in DONE_STATUSES:
        return SlaState(None, "none", "—", "")
    dues = running_dues(ticket)
    if not dues:
        return SlaState(None, "none", "—", "")
    what, due = min(dues, key=lambda d: d[1])
    if due <= now:
        return SlaState(
            due, "bad", _("%(time)s overdue") % {"time": timesince(due, now, depth=1)}, what
        )
    state = "warn" if due - now <= AT_RISK else "ok"
    return SlaState(due, state, _("%(time)s left") % {"time": timeuntil(due, now, depth=1)}, what)


@dataclass(frozen=True)
class Entry:
    at: datetime
    message: Message | None = None
    event: TicketEvent | None = None
    text: str = ""


# Events that only announce a message; the message itself is in the timeline.
MESSAGE_KINDS = {EventKind.MESSAGE, EventKind.REPLY, EventKind.NOTE, EventKind.CREATED}


def timeline(
    messages: list[Message], events: list[TicketEvent], names: dict[str, str] | None = None
) -> list[Entry]:
    """Messages and the events that are not just their announcement, oldest first."""
    entries = chain(
        (Entry(at=m.created_at, message=m) for m in messages),
        (
            Entry(at=e.created_at, event=e, text=event_sentence(e, names or {}))
            for e in events
            if e.kind not in MESSAGE_KINDS
        ),
    )
    return sorted(entries, key=lambda e: (e.at, 0 if e.message else 1))


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else "—"


def event_sentence(event: TicketEvent, names: dict[str, str] | None = None) -> str:
    """One line of the timeline; assignee emails are shown as the people's names."""
    old, new = event.old_value, event.new_value
    if event.kind == EventKind.ASSIGNEE and names:
        old, new = names.get(old, old), names.get(new, new)
    kind = event.kind
    if kind == EventKind.STATUS:
        return _("Status: %(old)s → %(new)s") % {
            "old": _label(Status.choices, old),
            "new": _label(Status.choices, new),
        }
    if kind == EventKind.PRIORITY:
        return _("Priority: %(old)s → %(new)s") % {"old": old or "—", "new": new or "—"}
    if kind == EventKind.TYPE:
        return _("Type: %(old)s → %(new)s") % {
            "old": _label(TicketType.choices, old),
            "new": _label(TicketType.choices, new),
        }
    if kind == EventKind.ASSIGNEE:
        if new:
            return _("Assigned to %(who)s") % {"who": new}
        return _("Unassigned (was %(who)s)") % {"who": old or "—"}
    if kind == EventKind.ATTACHMENT:
        return _("File attached: %(name)s") % {"name": new}
    if kind == EventKind.MERGED:
        if new:
            return _("Merged into %(ref)s") % {"ref": new}
        return _("%(ref)s was merged into this ticket") % {"ref": old}
    if kind == EventKind.LINKED:
        return _("Linked with %(ref)s") % {"ref": new}
    if kind == EventKind.REOPENED:
        return _("Reopened")
    if kind == EventKind.ESCALATED:
        return _("Escalated %(old)s → %(new)s") % {"old": old or "—", "new": new or "—"}
    label = EventKind(kind).label if kind in EventKind.values else kind
    if old or new:
        return f"{label}: {old or '—'} → {new or '—'}"
    return str(label)


# A long ticket shows its opening message and the latest entries; the rest on request.
TIMELINE_SHOWN = 100


def shortened(entries: list, *, full: bool) -> tuple[list, int]:
    """The entries to render and how many were left out of the middle."""
    if full or len(entries) <= TIMELINE_SHOWN:
        return entries, 0
    return [entries[0], *entries[-(TIMELINE_SHOWN - 1) :]], len(entries) - TIMELINE_SHOWN
