"""Escalation between tiers: hand a ticket up with the seed-003 template, or back down.

The SLA clocks belong to the client's contract, not to a team, so neither function
touches the ticket's due columns.
"""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Team, Tier, User
from dutydesk.core.html import text_to_html
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import ActionRefused
from dutydesk.tickets.models import Channel, Direction, EventKind, Message, Ticket
from dutydesk.tickets.services.actions import _locked, _require_agent
from dutydesk.tickets.services.events import event_record
from dutydesk.tickets.services.notices import notify_escalated

TIERS = [Tier.L1, Tier.L2, Tier.L3]


def _rank(tier: str) -> int:
    """L1 → 0, L2 → 1, L3 → 2; no tier counts as the first line."""
    return TIERS.index(tier) if tier in TIERS else 0


def _next_tier_team(ticket: Ticket) -> Team:
    rank = _rank(ticket.tier)
    if rank + 1 >= len(TIERS):
        raise ActionRefused(
            _("There is no tier above %(tier)s to escalate to.") % {"tier": TIERS[rank]},
            {"to_team": _("no next tier")},
        )
    tier = TIERS[rank + 1]
    team = Team.objects.filter(tier=tier).order_by("name", "pk").first()
    if team is None:
        raise ActionRefused(
            _("No team serves tier %(tier)s.") % {"tier": tier}, {"to_team": _("no next tier")}
        )
    return team


def _internal_note(ticket: Ticket, *, by: User, body: str) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        author=by,
        is_internal=True,
        direction=Direction.INTERNAL,
        body_text=body,
        body_html=text_to_html(body),
        channel=Channel.AGENT,
    )
    event_record(ticket, actor=by, kind=EventKind.NOTE, message=message.pk)
    return message


def _move(ticket: Ticket, *, team: Team, by: User) -> tuple[Team | None, str]:
    """Set team and tier with their events; unassign when the assignee is not in the team."""
    old_team, old_tier = ticket.team, ticket.tier
    new_tier = team.tier or old_tier
    event_record(ticket, actor=by, kind=EventKind.TEAM, old=old_team, new=team)
    if new_tier != old_tier:
        event_record(ticket, actor=by, kind=EventKind.TIER, old=old_tier, new=new_tier)
    ticket.team, ticket.tier = team, new_tier
    assignee = ticket.assignee
    if assignee is not None and not team.members.filter(pk=assignee.pk).exists():
        event_record(ticket, actor=by, kind=EventKind.ASSIGNEE, old=assignee.email, new="")
        ticket.assignee = None
    return old_team, old_tier


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    by: User,
    summary: str,
    steps_taken: str,
    urgency: str = "",
    to_team: Team | None = None,
) -> Ticket:
    """Hand the ticket to ``to_team`` or the next tier's first team, with the escalation
    note (to whom, what, steps taken, client, urgency) stored and sent to that team."""
    _require_agent(by)
    errors = {}
    if not summary.strip():
        errors["summary"] = _("required")
    if not steps_taken.strip():
        errors["steps_taken"] = _("required")
    if errors:
        raise ActionRefused(_("The escalation is incomplete."), errors)
    ticket = _locked(ticket)
    team = to_team if to_team is not None else _next_tier_team(ticket)
    if team.pk == ticket.team_id:
        raise ActionRefused(
            _("The ticket is already with this team."), {"to_team": _("the current team")}
        )
    if to_team is not None and _rank(team.tier) <= _rank(ticket.tier):
        raise ActionRefused(
            _("Escalation goes to a higher tier."), {"to_team": _("not a higher tier")}
        )
    from_tier = ticket.tier or Tier.L1
    old_team, old_tier = _move(ticket, team=team, by=by)
    body = render_to_string(
        "tickets/escalation_note.txt",
        {
            "ticket": ticket,
            "team": team,
            "tier": ticket.tier or "—",
            "from_tier": from_tier,
            "summary": summary.strip(),
            "steps_taken": steps_taken.strip(),
            "urgency": urgency.strip() or ticket.get_priority_display(),
        },
    ).strip()
    note = _internal_note(ticket, by=by, body=body)
    event_record(
        ticket,
        actor=by,
        kind=EventKind.ESCALATED,
        old=from_tier,
        new=ticket.tier,
        team=team.slug,
        message=note.pk,
    )
    ticket.save()
    audit_record(
        actor=by,
        action="ticket.escalated",
        obj=ticket,
        changes={"team": (old_team, team), "tier": (old_tier, ticket.tier)},
        organization=ticket.organization,
    )
    notify_escalated(ticket, by=by, note=note)
    return ticket


@transaction.atomic
def ticket_deescalate(*, ticket: Ticket, by: User, to_team: Team, note: str) -> Ticket:
    """Return the ticket to a lower-tier team, saying why in an internal note."""
    _require_agent(by)
    if not note.strip():
        raise ActionRefused(_("Say why the ticket goes back."), {"note": _("required")})
    ticket = _locked(ticket)
    if _rank(to_team.tier) >= _rank(ticket.tier):
        raise ActionRefused(
            _("De-escalation goes to a lower tier."), {"to_team": _("not a lower tier")}
        )
    old_team, old_tier = _move(ticket, team=to_team, by=by)
    message = _internal_note(ticket, by=by, body=note.strip())
    event_record(
        ticket,
        actor=by,
        kind=EventKind.DEESCALATED,
        old=old_tier,
        new=ticket.tier,
        team=to_team.slug,
        message=message.pk,
    )
    ticket.save()
    audit_record(
        actor=by,
        action="ticket.deescalated",
        obj=ticket,
        changes={"team": (old_team, to_team), "tier": (old_tier, ticket.tier)},
        organization=ticket.organization,
    )
    return ticket
