"""Tickets, their messages, attachments, timeline events, routing rules and inbound receipts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization, Team, Tier


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending (waiting for client)")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)

# Tickets without a running clock sort after all others by their SLA due.
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


def sla_due_expression() -> Least:
    """The nearest due of a ticket's running clocks: what the queue sorts by "SLA due",
    and, as the same expression, what an index of the open tickets holds."""
    far = models.Value(FAR_FUTURE, output_field=models.DateTimeField())
    return Least(
        Coalesce("first_response_due", far),
        Coalesce("next_response_due", far),
        Coalesce("resolution_due", far),
        Coalesce("unanswered_due", far),
    )


def _active() -> models.Q:
    return models.Q(status__in=ACTIVE_STATUSES)


class Priority(models.TextChoices):
    P1 = "P1", _("P1 — critical")
    P2 = "P2", _("P2 — high")
    P3 = "P3", _("P3 — normal")
    P4 = "P4", _("P4 — low")


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    QUESTION = "question", _("Question")
    PROBLEM = "problem", _("Problem")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")
    AGENT = "agent", _("Agent")
    WEBFORM = "webform", _("Web form")


CHANNEL_LABELS = dict(Channel.choices)


class Ticket(models.Model):
    number = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    type = models.CharField(
        _("type"), max_length=10, choices=TicketType.choices, default=TicketType.REQUEST
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    # SLA clocks (sla.services keeps them): the due instants are what the sweep looks at.
    sla_policy = models.ForeignKey(
        "sla.Policy",
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_response_due = models.DateTimeField(
        _("first response due"), null=True, blank=True, db_index=True
    )
    next_response_due = models.DateTimeField(
        _("next response due"), null=True, blank=True, db_index=True
    )
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    # While pending, on hold, resolved or closed the resolution clock stands still; the
    # business time it stood still is collected, and the due moves back by it.
    resolution_paused_at = models.DateTimeField(
        _("resolution clock stopped"), null=True, blank=True
    )
    resolution_paused = models.DurationField(_("resolution clock paused for"), default=timedelta(0))
    # The earliest instant a running clock crosses its next warning or its due: the sweep
    # finds its work by this index instead of scanning open tickets. None: no clock runs.
    sla_next_check_at = models.DateTimeField(
        _("next SLA check"), null=True, blank=True, db_index=True
    )
    # Seed 004: no client message waits longer than the policy's limit (30 minutes by
    # default), whatever the priority. Set when a client writes and nobody has answered,
    # cleared by a public agent reply; the queue shows it and the sweep alerts the on-duty.
    unanswered_due = models.DateTimeField(
        _("client waiting, answer due"), null=True, blank=True, db_index=True
    )
    # For the metrics of seed 003: resolved without leaving the tier it was routed to.
    # None until resolved (and again after a reopen).
    solved_at_first_tier = models.BooleanField(_("solved at first tier"), null=True, blank=True)
    # When a client writes about a ticket closed too long ago, a new ticket follows it.
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["status", "priority", "updated_at"], name="ticket_status_idx"),
            models.Index(fields=["organization", "updated_at"], name="ticket_org_idx"),
            models.Index(fields=["team", "status", "updated_at"], name="ticket_team_idx"),
            models.Index(fields=["assignee", "status", "updated_at"], name="ticket_assignee_idx"),
            models.Index(fields=["requester", "updated_at"], name="ticket_requester_idx"),
            # The queues of open tickets in their sort orders, so that a page of 50 is read
            # in order from the index rather than sorted out of all open tickets.
            models.Index(
                fields=["priority", "created_at", "id"],
                name="ticket_open_priority_idx",
                condition=_active(),
            ),
            models.Index(
                fields=["team", "priority", "created_at", "id"],
                name="ticket_open_team_prio_idx",
                condition=_active(),
            ),
            models.Index(
                sla_due_expression(), "id", name="ticket_open_sla_idx", condition=_active()
            ),
            models.Index(
                "team",
                sla_due_expression(),
                "id",
                name="ticket_open_team_sla_idx",
                condition=_active(),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Direction(models.TextChoices):
    INBOUND = "in", _("From the client")
    OUTBOUND = "out", _("To the client")
    INTERNAL = "internal", _("Internal")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    source_id = models.CharField(_("source id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_idx")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk}"

    @property
    def channel_label(self) -> str:
        """The channel's name, as ``get_channel_display`` (which rebuilds the choices on
        every call: a long timeline called it once per message)."""
        return str(CHANNEL_LABELS.get(self.channel, self.channel))


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"tickets/{instance.ticket_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    MESSAGE = "message", _("Client message")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    ATTACHMENT = "attachment", _("File attached")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    TYPE = "type", _("Type changed")
    CATEGORY = "category", _("Category changed")
    TEAM = "team", _("Team changed")
    TIER = "tier", _("Tier changed")
    ASSIGNEE = "assignee", _("Assignee changed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")
    LINKED = "linked", _("Linked")
    ROUTED = "routed", _("Routed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    SLA_UNANSWERED = "sla_unanswered", _("Client waiting too long")
    ESCALATED = "escalated", _("Escalated")
    DEESCALATED = "deescalated", _("De-escalated")


class TicketEvent(models.Model):
    """One line of the ticket's timeline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    old_value = models.CharField(_("before"), max_length=255, blank=True)
    new_value = models.CharField(_("after"), max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_idx")]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.kind}: {self.old_value} → {self.new_value}"


class InboundReceipt(models.Model):
    """One per inbound item ever accepted; the unique key makes a redelivery a no-op."""

    channel = models.CharField(max_length=12, choices=Channel.choices)
    source_id = models.CharField(max_length=255)
    # A hash of the item's content: the same source id with other content is a conflict.
    digest = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_ticket = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "source_id"], name="inbound_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.source_id}"


class RoutingRule(models.Model):
    """Sets team, tier, priority and type of new tickets that match; first match wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    keywords = models.CharField(
        _("keywords in subject"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; any one matches, case-insensitive."),
    )
    set_team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True
    )
    set_tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    set_priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, blank=True
    )
    set_type = models.CharField(_("type"), max_length=10, choices=TicketType.choices, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.split(",") if k.strip()]


class AutoAssignMode(models.TextChoices):
    OFF = "off", _("Off")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class TeamAutoAssign(models.Model):
    """How new tickets routed to a team get an assignee: not at all, in turn, or to the
    member with the fewest active tickets. Only active staff members are picked."""

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="auto_assign"
    )
    mode = models.CharField(
        _("auto-assignment"),
        max_length=20,
        choices=AutoAssignMode.choices,
        default=AutoAssignMode.OFF,
    )
    # Round-robin continues after this member.
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("team auto-assignment")
        verbose_name_plural = _("team auto-assignment")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_mode_display()}"


from dutydesk.tickets.macro_models import Macro  # noqa: E402, F401  (a model of this app)
