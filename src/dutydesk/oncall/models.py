"""Schedules (layers, participants, overrides), escalation policies, pages, contact methods,
calendar feeds and shift handovers. Every timer is an indexed column."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Team
from dutydesk.sla.models import validate_time_zone


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    WEBHOOK = "webhook", _("Webhook")


class ContactMethod(models.Model):
    """Where a person is paged: an email address, a Telegram chat id or a webhook URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    address = models.CharField(_("address"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact method")
        verbose_name_plural = _("contact methods")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "address"], name="contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.address}"


class Schedule(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="schedules"
    )
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    # The secret of the schedule's iCal feed; rotating it revokes every old subscription.
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["team", "name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.name} ({self.team.slug})"


class ShiftUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")


class RotationLayer(models.Model):
    """Participants take turns in shifts of ``shift_count`` units from ``handoff_at``.

    With ``restrict_days`` set the layer covers only its daily window (wall time of the
    schedule's zone; an end at or before the start crosses midnight).
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("name"), max_length=100, blank=True)
    level = models.PositiveIntegerField(_("level"), default=0, help_text=_("Higher wins."))
    shift_unit = models.CharField(
        _("shift unit"), max_length=5, choices=ShiftUnit.choices, default=ShiftUnit.DAYS
    )
    shift_count = models.PositiveIntegerField(_("shift length"), default=1)
    handoff_at = models.DateTimeField(_("first handoff"))
    restrict_days = models.JSONField(
        _("days (0 = Monday)"), default=list, blank=True, help_text=_("Empty: no restriction.")
    )
    restrict_start = models.TimeField(_("window starts"), null=True, blank=True)
    restrict_end = models.TimeField(_("window ends"), null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="LayerParticipant", related_name="+"
    )

    class Meta:
        ordering = ["schedule", "level", "pk"]
        verbose_name = _("rotation layer")
        verbose_name_plural = _("rotation layers")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "level"], name="layer_level_unique"),
            models.CheckConstraint(condition=Q(shift_count__gte=1), name="layer_shift_positive"),
        ]

    def __str__(self) -> str:
        return self.name or f"{_('layer')} {self.level}"


class LayerParticipant(models.Model):
    layer = models.ForeignKey(RotationLayer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["layer", "position", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.position}: {self.user_id}"


class Override(models.Model):
    """Someone covers the interval, whatever the layers say."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("covered by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["schedule", "start", "pk"]
        indexes = [models.Index(fields=["schedule", "end"], name="override_end_idx")]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="override_order")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A person's secret iCal URL with their shifts in every schedule."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


# --- escalation -----------------------------------------------------------------------


class Fallback(models.TextChoices):
    TEAM = "team", _("Everyone in the team")
    SUPERVISORS = "supervisors", _("The supervisors")


class EscalationPolicy(models.Model):
    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="escalation_policy"
    )
    name = models.CharField(_("name"), max_length=100)
    repeat = models.PositiveIntegerField(
        _("repeat the chain"), default=2, help_text=_("Times the chain runs again unanswered.")
    )
    fallback = models.CharField(
        _("when nobody is on call"), max_length=12, choices=Fallback.choices, default=Fallback.TEAM
    )

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class Target(models.TextChoices):
    SCHEDULE = "schedule", _("The on-call of a schedule")
    USER = "user", _("A named person")
    TEAM = "team", _("Everyone in a team")
    SUPERVISORS = "supervisors", _("The supervisors")


class StepChannel(models.TextChoices):
    ALL = "all", _("Every contact method")
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    WEBHOOK = "webhook", _("Webhook")


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"), default=0)
    target = models.CharField(_("notify"), max_length=12, choices=Target.choices)
    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(
        _("by"), max_length=10, choices=StepChannel.choices, default=StepChannel.ALL
    )
    wait_minutes = models.PositiveIntegerField(_("then wait (minutes)"), default=5)

    class Meta:
        ordering = ["policy", "position", "pk"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"{self.position}: {self.get_target_display()}"


class PageStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Page(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="pages")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="pages"
    )
    reason = models.CharField(_("reason"), max_length=100)
    status = models.CharField(
        _("status"), max_length=12, choices=PageStatus.choices, default=PageStatus.OPEN
    )
    step_index = models.PositiveIntegerField(_("next step"), default=0)
    repeat = models.PositiveIntegerField(_("round"), default=0)
    # When the next step is due; None once acknowledged, resolved or out of steps.
    next_step_at = models.DateTimeField(_("next step at"), null=True, blank=True, db_index=True)
    notified_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("opened"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        indexes = [models.Index(fields=["team", "status"], name="page_team_status_idx")]
        constraints = [
            # One live page per ticket and reason: opening it again returns the same page.
            models.UniqueConstraint(
                fields=["ticket", "reason"],
                condition=~Q(status="resolved"),
                name="page_live_unique",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} ({self.status})"

    @property
    def response_time(self):
        return self.acknowledged_at - self.created_at if self.acknowledged_at else None


class PageNotification(models.Model):
    """One message sent for a page: to whom, how, at which step; kept for the handover."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10)
    address = models.CharField(max_length=500)
    step_index = models.PositiveIntegerField()
    repeat = models.PositiveIntegerField()
    fallback = models.BooleanField(default=False)
    delivery = models.ForeignKey(
        "notify.Delivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("page notification")
        verbose_name_plural = _("page notifications")

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"


# --- shifts: briefing and handover ----------------------------------------------------


class ShiftReport(models.Model):
    """One final shift of a schedule: its briefing at the start, its handover at the end.

    The sweep creates rows for shifts about to start and claims them by the two due
    columns, so a restarted worker sends what it missed, once.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shift_reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_reports"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    briefing_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    briefing_sent_at = models.DateTimeField(_("briefing sent"), null=True, blank=True)
    briefing = models.JSONField(default=dict, blank=True)
    handover_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    handover_sent_at = models.DateTimeField(_("handover sent"), null=True, blank=True)
    handover = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note for the next shift"), blank=True)
    next_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("shift report")
        verbose_name_plural = _("shift reports")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "user", "starts_at"], name="shift_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"
