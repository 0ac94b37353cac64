"""Shift briefing and handover (seed 003's shift routine), driven by ``ShiftReport`` rows.

The sweep first plans rows for the final shifts starting soon (so the instants to act
are columns, not memory), then claims the due handovers and briefings. A worker that
was down catches up; a row is sent once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.notify.services import delivery_queue
from dutydesk.oncall.models import (
    ContactKind,
    ContactMethod,
    Page,
    PageStatus,
    Schedule,
    ShiftReport,
)
from dutydesk.oncall.paging import supervisors
from dutydesk.oncall.rotation import Shift
from dutydesk.oncall.selectors import on_call_now, schedule_shifts
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import ACTIVE_STATUSES, EventKind, Ticket, TicketEvent

logger = logging.getLogger(__name__)

LOOKAHEAD = timedelta(hours=24)
# A briefing is still worth sending this long after the shift started (a worker restart).
CATCH_UP = timedelta(hours=2)
HISTORY = timedelta(days=3)  # how far back a shift's real start is looked for


def _person_shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """Final shifts with runs of one person joined, whatever layer or override holds them."""
    out: list[Shift] = []
    for s in schedule_shifts(schedule, start, end):
        if out and out[-1].user == s.user and out[-1].end == s.start:
            out[-1] = Shift(out[-1].start, s.end, s.user, out[-1].source)
        else:
            out.append(s)
    return out


def shift_reports_plan(*, now: datetime) -> int:
    """Create (or correct) the rows of shifts starting within the lookahead."""
    made = 0
    for schedule in Schedule.objects.select_related("team"):
        found = _person_shifts(schedule, now - HISTORY, now + LOOKAHEAD + HISTORY)
        # A shift cut by the start of the range is not a real start.
        found = [s for s in found if s.start > now - HISTORY and s.start <= now + LOOKAHEAD]
        keep = set()
        for s in found:
            if s.end <= now:
                continue
            row, created = ShiftReport.objects.get_or_create(
                schedule=schedule,
                user_id=s.user,
                starts_at=s.start,
                defaults={"ends_at": s.end, "briefing_due_at": s.start, "handover_due_at": s.end},
            )
            keep.add(row.pk)
            made += created
            if not created and row.handover_sent_at is None and row.ends_at != s.end:
                row.ends_at = row.handover_due_at = s.end
                row.save(update_fields=["ends_at", "handover_due_at"])
        # Planned shifts an edit has removed: never briefed, so dropped quietly.
        ShiftReport.objects.filter(
            schedule=schedule,
            starts_at__gt=now,
            starts_at__lte=now + LOOKAHEAD,
            briefing_sent_at__isnull=True,
        ).exclude(pk__in=keep).delete()
    return made


def shift_reports_sweep(*, now: datetime | None = None, limit: int = 100) -> int:
    now = now or timezone.now()
    shift_reports_plan(now=now)
    done = 0
    # Handovers first: the briefing of the next shift quotes the note of this one.
    for field, act in (("handover_due_at", _hand_over), ("briefing_due_at", _brief)):
        with transaction.atomic():
            rows = list(
                ShiftReport.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(**{f"{field}__lte": now})
                .select_related("schedule__team", "user")
                .order_by(field, "pk")[:limit]
            )
            for row in rows:
                try:
                    with transaction.atomic():
                        act(row, now)
                        done += 1
                except Exception:
                    logger.exception("shift report %s failed", row.pk)
                    ShiftReport.objects.filter(pk=row.pk).update(
                        **{field: now + timedelta(minutes=5)}
                    )
    return done


# --- contents ------------------------------------------------------------------------------


def _ticket_line(t: Ticket) -> dict:
    return {
        "ticket": t.number,
        "subject": t.subject,
        "priority": t.priority,
        "status": t.status,
        "client": str(t.organization),
        "assignee": t.assignee.email if t.assignee else "",
    }


def _urgency(t: Ticket) -> datetime:
    dues = [d for d in (t.first_response_due, t.next_response_due, t.resolution_due) if d]
    return min(dues) if dues else datetime.max.replace(tzinfo=UTC)


def briefing_build(row: ShiftReport) -> dict:
    team = row.schedule.team
    open_tickets = list(
        Ticket.objects.filter(team=team, status__in=ACTIVE_STATUSES)
        .select_related("organization", "assignee")
        .order_by("pk")[:500]
    )
    open_tickets.sort(key=lambda t: (_urgency(t), t.priority, t.pk))
    pages = (
        Page.objects.filter(team=team).exclude(status=PageStatus.RESOLVED).select_related("ticket")
    )
    previous = (
        ShiftReport.objects.filter(schedule=row.schedule, ends_at__lte=row.starts_at)
        .exclude(pk=row.pk)
        .order_by("-ends_at")
        .first()
    )
    return {
        "tickets": [
            {**_ticket_line(t), "due": _urgency(t).isoformat() if _urgency(t).year < 9999 else ""}
            for t in open_tickets[:50]
        ],
        "pages": [
            {"page": p.pk, "ticket": p.ticket.number, "reason": p.reason, "status": p.status}
            for p in pages
        ],
        "previous_note": previous.note if previous else "",
        "previous_by": previous.user.email if previous else "",
    }


def handover_build(row: ShiftReport) -> dict:
    team, a, b = row.schedule.team, row.starts_at, row.ends_at
    tickets = Ticket.objects.filter(team=team).select_related("organization", "assignee")
    pages = Page.objects.filter(team=team, created_at__gte=a, created_at__lt=b).select_related(
        "ticket", "acknowledged_by"
    )
    breaches = TicketEvent.objects.filter(
        ticket__team=team, kind=EventKind.SLA_BREACH, created_at__gte=a, created_at__lt=b
    ).select_related("ticket")
    return {
        "opened": [_ticket_line(t) for t in tickets.filter(created_at__gte=a, created_at__lt=b)],
        "resolved": [
            _ticket_line(t) for t in tickets.filter(resolved_at__gte=a, resolved_at__lt=b)
        ],
        "still_open": [_ticket_line(t) for t in tickets.filter(status__in=ACTIVE_STATUSES)[:200]],
        "pages": [
            {
                "page": p.pk,
                "ticket": p.ticket.number,
                "reason": p.reason,
                "status": p.status,
                "acknowledged_by": p.acknowledged_by.email if p.acknowledged_by else "",
                "response_seconds": int(p.response_time.total_seconds())
                if p.response_time
                else None,
            }
            for p in pages
        ],
        "breaches": [
            {"ticket": e.ticket.number, "target": e.new_value, "at": e.created_at.isoformat()}
            for e in breaches
        ],
        "note": row.note,
    }


def _text(title: str, sections: list[tuple[str, list[str]]]) -> str:
    lines = [title, ""]
    for heading, items in sections:
        lines.append(f"{heading} ({len(items)})")
        lines += [f"  - {item}" for item in items] or ["  —"]
        lines.append("")
    return "\n".join(lines)


def _fmt(t: dict) -> str:
    return f"#{t['ticket']} [{t['priority']}] {t['subject']} — {t['client']} ({t['status']})"


def _send(user: User, kind: str, subject: str, body: str) -> None:
    delivery_queue(kind=kind, recipient=user.email, subject=subject, body=body)
    chat = ContactMethod.objects.filter(
        user=user, kind=ContactKind.TELEGRAM, is_active=True
    ).first()
    if chat is not None:
        delivery_queue(
            kind=kind,
            channel="telegram",
            recipient=chat.address,
            subject=subject,
            body=f"{subject}\n\n{body}"[:4000],
            payload={"chat_id": chat.address},
        )


def _brief(row: ShiftReport, now: datetime) -> None:
    row.briefing_due_at = None
    if row.ends_at <= now or now - row.starts_at > CATCH_UP:
        row.save(update_fields=["briefing_due_at"])  # too late to be of use
        return
    row.briefing = briefing_build(row)
    row.briefing_sent_at = now
    row.save(update_fields=["briefing_due_at", "briefing", "briefing_sent_at"])
    b = row.briefing
    body = _text(
        _("Your shift on %(schedule)s starts.") % {"schedule": row.schedule.name},
        [
            (_("Open tickets by SLA urgency"), [_fmt(t) for t in b["tickets"]]),
            (
                _("Open pages"),
                [f"#{p['ticket']} {p['reason']} ({p['status']})" for p in b["pages"]],
            ),
            (_("Note of the previous shift"), [b["previous_note"]] if b["previous_note"] else []),
        ],
    )
    _send(row.user, "shift_briefing", _("Shift briefing: %(s)s") % {"s": row.schedule.name}, body)


def _hand_over(row: ShiftReport, now: datetime) -> None:
    row.handover_due_at = None
    row.handover = handover_build(row)
    row.handover_sent_at = now
    next_id = on_call_now(row.schedule, row.ends_at)
    row.next_user = User.objects.filter(pk=next_id).first() if next_id else None
    row.save(update_fields=["handover_due_at", "handover", "handover_sent_at", "next_user"])
    h = row.handover

    def page_line(p: dict) -> str:
        took = f"{p['response_seconds'] // 60} min" if p["response_seconds"] is not None else "—"
        return f"#{p['ticket']} {p['reason']}: {p['status']} {p['acknowledged_by']} ({took})"

    body = _text(
        _("Handover of %(who)s, %(schedule)s, %(start)s – %(end)s")
        % {
            "who": row.user.display_name,
            "schedule": row.schedule.name,
            "start": row.starts_at.isoformat(timespec="minutes"),
            "end": row.ends_at.isoformat(timespec="minutes"),
        },
        [
            (_("Opened"), [_fmt(t) for t in h["opened"]]),
            (_("Resolved"), [_fmt(t) for t in h["resolved"]]),
            (_("Still open"), [_fmt(t) for t in h["still_open"]]),
            (_("Pages"), [page_line(p) for p in h["pages"]]),
            (_("SLA breaches"), [f"#{e['ticket']} {e['target']} {e['at']}" for e in h["breaches"]]),
            (_("Note"), [h["note"]] if h["note"] else []),
        ],
    )
    subject = _("Shift handover: %(s)s") % {"s": row.schedule.name}
    recipients = {u.pk: u for u in supervisors()}
    if row.next_user is not None:
        recipients[row.next_user.pk] = row.next_user
    for user in recipients.values():
        _send(user, "shift_handover", subject, body)
    audit_record(actor=None, action="oncall.handover", obj=row)


@transaction.atomic
def shift_note_set(*, report: ShiftReport, by: User, note: str) -> ShiftReport:
    """The outgoing person's note for the next shift; their own, or a supervisor's."""
    report = ShiftReport.objects.select_for_update().get(pk=report.pk)
    if not (by.is_active and (by.pk == report.user_id or by.sees_all_queues)):
        raise ActionRefused(_("Only the person on shift or a supervisor can do this."))
    if report.handover_sent_at is not None:
        raise ActionRefused(_("The handover has been sent."), {"note": _("too late")})
    report.note = note
    report.save(update_fields=["note"])
    audit_record(actor=by, action="oncall.shift_note", obj=report)
    return report
