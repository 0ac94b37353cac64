"""Demo data: four clients, L1/L2/L3 staff and a month of tickets in English and Russian.

Every ticket is written through the real services (``ingest`` and the agent actions), so
the timeline, audit trail and outbox look exactly as they would in use. Afterwards the
rows each step wrote are moved back to that step's moment in the past month; the audit
log is left as it is, because it records when the seeding really happened.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from dutydesk.accounts.models import Organization, Role, Team, User
from dutydesk.demo.macros import create_macros, enable_auto_assignment
from dutydesk.demo.script import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    NOT_SENT,
    ORGANIZATIONS,
    ROUTING_RULES,
    SLA_POLICIES,
    STAFF,
    TEAMS,
    DemoTicket,
    Step,
)
from dutydesk.demo.tickets_en import TICKETS_EN
from dutydesk.demo.tickets_ru import TICKETS_RU
from dutydesk.demo.watch import create_checks, create_oncall
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.notify.services import deliveries_cancel
from dutydesk.sla.models import Policy
from dutydesk.sla.services import SLA_FIELDS, sla_replay
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import (
    Channel,
    EventKind,
    InboundReceipt,
    Message,
    RoutingRule,
    Status,
    Ticket,
    TicketEvent,
)
from dutydesk.tickets.services import (
    ingest,
    ticket_assign,
    ticket_link,
    ticket_merge,
    ticket_reply,
    ticket_update,
)

TICKETS = [*TICKETS_EN, *TICKETS_RU]


# --- seeding --------------------------------------------------------------------------


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo clients, staff and tickets; returns the logins to print.

    Meant for an empty database; when the demo clients already exist it changes nothing.
    """
    if Organization.objects.filter(slug="acme").exists():
        return list(DEMO_LOGINS)
    with transaction.atomic():
        first_delivery = _max_pk(Delivery)
        teams = _create_teams()
        staff = _create_staff(teams)
        organizations = _create_organizations(teams)
        _create_routing_rules(teams)
        _set_demo_passwords()
        create_oncall(teams, staff)
        create_checks(organizations)
        _create_tickets(staff, teams, organizations)
        create_macros(teams, staff, organizations)
        enable_auto_assignment(teams)
        # The demo's addresses are made up: nothing it queued is ever to be sent.
        deliveries_cancel(
            Delivery.objects.filter(pk__gt=first_delivery, status=DeliveryStatus.PENDING),
            reason=NOT_SENT,
        )
    return list(DEMO_LOGINS)


def _create_teams() -> dict[str, Team]:
    return {
        slug: Team.objects.create(name=name, slug=slug, tier=tier, email=f"{slug}@dutydesk.local")
        for slug, name, tier in TEAMS
    }


def _create_staff(teams: dict[str, Team]) -> dict[str, User]:
    staff: dict[str, User] = {}
    for key, email, name, role, team, language in STAFF:
        create = User.objects.create_superuser if role == Role.ADMIN else User.objects.create_user
        # The password is set for everyone at once: hashing it per user takes seconds.
        user = create(email, None, role=role, name=name, language=language)
        if team:
            teams[team].members.add(user)
        staff[key] = user
    return staff


def _create_organizations(teams: dict[str, Team]) -> dict[str, Organization]:
    today = timezone.localdate()
    organizations: dict[str, Organization] = {}
    for spec in ORGANIZATIONS:
        organization = Organization.objects.create(
            slug=spec.slug,
            name=spec.name,
            language=spec.language,
            time_zone=spec.time_zone,
            default_team=teams["l1"],
            email_domains=spec.domain,
            contract_number=spec.contract_number,
            support_hours=spec.support_hours,
            contract_starts=date(today.year - 1, 1, 1),
            contract_ends=date(today.year + 1, 12, 31),
            sla_policy=Policy.objects.filter(slug=SLA_POLICIES.get(spec.slug, "")).first(),
        )
        for email, name, phone in spec.contacts:
            User.objects.create_user(
                email,
                None,
                role=Role.CUSTOMER,
                organization=organization,
                name=name,
                phone=phone,
                language=spec.language,
            )
        organizations[spec.slug] = organization
    return organizations


def _set_demo_passwords() -> None:
    """One hash of the demo password for every demo person (a shared salt is fine here)."""
    emails = [email for _key, email, *_rest in STAFF]
    emails += [email for spec in ORGANIZATIONS for email, _name, _phone in spec.contacts]
    User.objects.filter(email__in=emails).update(password=make_password(DEMO_PASSWORD))


def _create_routing_rules(teams: dict[str, Team]) -> None:
    for name, position, keywords, channel, team, ticket_type in ROUTING_RULES:
        RoutingRule.objects.create(
            name=name,
            position=position,
            keywords=keywords,
            channel=channel,
            set_team=teams[team] if team else None,
            set_type=ticket_type,
        )


def _create_tickets(
    staff: dict[str, User], teams: dict[str, Team], organizations: dict[str, Organization]
) -> None:
    now = timezone.now()
    clock = _Clock(now)
    created: dict[str, Ticket] = {}
    planned = [
        (_opened_at(spec.opened, organizations[spec.org].time_zone, now), n, spec)
        for n, spec in enumerate(TICKETS, start=1)
    ]
    # Opened in time order, so ticket numbers grow with the creation time.
    for opened_at, n, spec in sorted(planned, key=lambda item: item[:2]):
        source_id = f"demo-{n}"
        result = ingest(
            Inbound(
                channel=spec.channel,
                source_id=source_id,
                sender_email=spec.sender,
                sender_name=_sender_name(spec.sender),
                subject=spec.subject,
                body_text=inspect.cleandoc(spec.body),
                organization=organizations[spec.org],
                priority=spec.priority,
                type=spec.type,
                category=spec.category,
                ticket_number=created[spec.about].number if spec.about else None,
                submitted_by=staff[spec.submitted_by] if spec.submitted_by else None,
            )
        )
        ticket = result.ticket
        created[spec.key] = ticket
        moment = clock.stamp(opened_at)
        for k, step in enumerate(spec.steps, start=1):
            _run_step(
                ticket,
                step,
                spec=spec,
                source_id=f"{source_id}-{k}",
                staff=staff,
                teams=teams,
                created=created,
            )
            moment = clock.stamp(moment + timedelta(minutes=step[0]))
    for ticket in created.values():
        _settle_ticket_times(ticket)


def _run_step(
    ticket: Ticket,
    step: Step,
    *,
    spec: DemoTicket,
    source_id: str,
    staff: dict[str, User],
    teams: dict[str, Team],
    created: dict[str, Ticket],
) -> None:
    _after, action, *args = step
    match action, args:
        case "assign", [who]:
            ticket_assign(ticket=ticket, assignee=staff[who], by=staff[who])
        case "assign", [who, by]:
            ticket_assign(ticket=ticket, assignee=staff[who], by=staff[by])
        case "reply", [by, text]:
            ticket_reply(ticket=ticket, by=staff[by], body=inspect.cleandoc(text))
        case "note", [by, text]:
            ticket_reply(ticket=ticket, by=staff[by], body=inspect.cleandoc(text), internal=True)
        case "status", [by, status]:
            ticket_update(ticket=ticket, by=staff[by], status=status)
        case "update", [by, changes]:
            ticket_update(ticket=ticket, by=staff[by], **changes)
        case "escalate", [by, team, note]:
            ticket_update(ticket=ticket, by=staff[by], team=teams[team])
            ticket_reply(ticket=ticket, by=staff[by], body=inspect.cleandoc(note), internal=True)
        case "client", [text]:
            # Clients answer in the chat they used; callers, portal and API users by email.
            chats = (Channel.EMAIL, Channel.TELEGRAM)
            channel = spec.channel if spec.channel in chats else Channel.EMAIL
            ingest(
                Inbound(
                    channel=channel,
                    source_id=source_id,
                    sender_email=spec.sender,
                    sender_name=_sender_name(spec.sender),
                    subject=f"Re: {spec.subject}",
                    body_text=text,
                    ticket_number=ticket.number,
                )
            )
        case "merge", [by, into]:
            ticket_merge(source=ticket, target=created[into], by=staff[by])
        case "link", [by, other]:
            ticket_link(ticket=ticket, other=created[other], by=staff[by])
        case _:
            raise ValueError(f"unknown demo step {step!r}")


def _sender_name(email: str) -> str:
    for spec in ORGANIZATIONS:
        for contact_email, name, _phone in spec.contacts:
            if contact_email == email:
                return name
    return "Alertmanager" if email.startswith("alertmanager@") else ""


def _opened_at(opened: str, time_zone: str, now: datetime) -> datetime:
    """'27d 08:40' (days ago, local time of the client), '3h' or '40m' (that long ago)."""
    if opened.endswith("m"):
        return now - timedelta(minutes=int(opened[:-1]))
    if opened.endswith("h"):
        return now - timedelta(hours=int(opened[:-1]))
    days, clock_time = opened.split()
    zone = ZoneInfo(time_zone)
    day = timezone.localdate(now, zone) - timedelta(days=int(days.removesuffix("d")))
    return datetime.combine(day, time.fromisoformat(clock_time), tzinfo=zone)


def _max_pk(model: type[models.Model]) -> int:
    return model.objects.aggregate(n=Max("pk"))["n"] or 0


class _Clock:
    """Moves the rows written since the last stamp to a moment in the demo's past.

    Rows not stamped yet are exactly those created after ``now``: stamped ones lie before it.
    """

    MODELS: tuple[type[models.Model], ...] = (Message, TicketEvent, InboundReceipt, Delivery)

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.latest = now - timedelta(minutes=1)

    def stamp(self, moment: datetime) -> datetime:
        moment = min(moment, self.latest)  # never in the future
        for model in self.MODELS:
            model.objects.filter(created_at__gte=self.now).update(created_at=moment)
        return moment


def _settle_ticket_times(ticket: Ticket) -> None:
    """Derive the ticket's own timestamps from its re-dated timeline, as the services would."""
    ticket.refresh_from_db()
    events = list(
        ticket.events.order_by("created_at", "pk").values_list("kind", "new_value", "created_at")
    )
    message_times = list(ticket.messages.values_list("created_at", flat=True))
    first_reply = resolved = closed = None
    for kind, new, moment in events:
        if kind == EventKind.REPLY and first_reply is None:
            first_reply = moment
        elif kind == EventKind.REOPENED:
            resolved = closed = None
        elif kind == EventKind.STATUS and new == Status.RESOLVED:
            resolved = moment
        elif kind == EventKind.STATUS and new == Status.CLOSED:
            resolved, closed = resolved or moment, moment
    moments = [moment for _kind, _new, moment in events] + message_times
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=events[0][2],
        updated_at=max(moments),
        first_response_at=first_reply if ticket.first_response_at else None,
        resolved_at=resolved if ticket.resolved_at else None,
        closed_at=closed if ticket.closed_at else None,
    )
    # The clocks ran while the services wrote, at the real now: run them again on the past.
    ticket.refresh_from_db()
    sla_replay(ticket)
    ticket.save(update_fields=[*SLA_FIELDS, "first_response_at"])
