"""Checks, their raw results, rolled-up buckets, state changes and maintenance windows."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization
from dutydesk.tickets.models import Priority, Ticket


class Kind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP port")
    DNS = "dns", _("DNS record")
    TLS = "tls", _("TLS certificate")
    DOMAIN = "domain", _("Domain expiry")
    HEARTBEAT = "heartbeat", _("Heartbeat")


class State(models.TextChoices):
    UP = "up", _("Up")
    DOWN = "down", _("Down")
    UNKNOWN = "unknown", _("Unknown")
    MAINTENANCE = "maintenance", _("Maintenance")


class ResultStatus(models.TextChoices):
    UP = "up", _("Up")
    DOWN = "down", _("Down")
    MAINTENANCE = "maintenance", _("Maintenance")


MIN_INTERVAL_SECONDS = 10


class Check(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    config = models.JSONField(_("configuration"), default=dict)
    interval_seconds = models.PositiveIntegerField(
        _("interval (seconds)"),
        default=60,
        validators=[MinValueValidator(MIN_INTERVAL_SECONDS), MaxValueValidator(86400)],
    )
    timeout_seconds = models.FloatField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(0.5)]
    )
    alert_after = models.PositiveSmallIntegerField(
        _("failures before alerting"), default=2, validators=[MinValueValidator(1)]
    )
    recover_after = models.PositiveSmallIntegerField(
        _("successes before recovery"), default=1, validators=[MinValueValidator(1)]
    )
    component = models.CharField(
        _("status page component"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the organisation's public status page; hidden when empty."),
    )
    priority = models.CharField(
        _("incident priority"), max_length=2, choices=Priority.choices, default=Priority.P2
    )
    resolve_on_recovery = models.BooleanField(_("resolve the incident on recovery"), default=True)
    is_paused = models.BooleanField(_("paused"), default=False)

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="unknown")
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    # The runner claims rows whose next_run_at has come; heartbeats use next_due_at.
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_ok = models.BooleanField(null=True, blank=True)
    last_latency_ms = models.FloatField(null=True, blank=True)
    last_message = models.CharField(max_length=500, blank=True)

    outage_started_at = models.DateTimeField(null=True, blank=True)
    # The incident of the current or the latest outage; kept after recovery so that a
    # flapping check threads into it instead of opening another.
    incident = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recovered_at = models.DateTimeField(null=True, blank=True)

    # Heartbeats: the secret part of the ping URL, and the instant the next ping is due.
    ping_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_start_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization_id", "name", "id"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_seconds__gte=MIN_INTERVAL_SECONDS),
                name="monitoring_check_min_interval",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.timeout_seconds and self.timeout_seconds > self.interval_seconds:
            raise ValidationError(
                {"timeout_seconds": _("The timeout must not be longer than the interval.")}
            )


class CheckResult(models.Model):
    """One probe; kept for MONITORING["raw_retention_hours"], then only rollups remain."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results")
    at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=ResultStatus.choices)
    ok = models.BooleanField()
    latency_ms = models.FloatField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["check_ref", "at"], name="monitoring_result_check_at")]

    def __str__(self) -> str:
        return f"{self.check_ref_id}@{self.at:%Y-%m-%d %H:%M:%S} {self.status}"


class Resolution(models.TextChoices):
    MINUTE = "m", _("minute")
    HOUR = "h", _("hour")
    DAY = "d", _("day")


class Rollup(models.Model):
    """Counts and latency of one check over one bucket (UTC minute, hour or day)."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="rollups")
    resolution = models.CharField(max_length=1, choices=Resolution.choices)
    bucket = models.DateTimeField()
    up = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)
    maintenance = models.PositiveIntegerField(default=0)
    latency_min = models.FloatField(null=True, blank=True)
    latency_max = models.FloatField(null=True, blank=True)
    latency_sum = models.FloatField(default=0)
    latency_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["check_ref", "resolution", "bucket"], name="monitoring_rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["resolution", "bucket"], name="monitoring_rollup_prune")]

    def __str__(self) -> str:
        return f"{self.check_ref_id}/{self.resolution}/{self.bucket:%Y-%m-%d %H:%M}"

    @property
    def latency_avg(self) -> float | None:
        return self.latency_sum / self.latency_count if self.latency_count else None

    @property
    def uptime(self) -> float | None:
        """Share of up results among up and down ones; maintenance does not count."""
        counted = self.up + self.down
        return self.up / counted if counted else None


class StateChange(models.Model):
    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="state_changes")
    at = models.DateTimeField()
    old = models.CharField(max_length=12, choices=State.choices)
    new = models.CharField(max_length=12, choices=State.choices)
    message = models.CharField(max_length=500, blank=True)
    incident = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["check_ref", "at"], name="monitoring_change_check_at")]

    def __str__(self) -> str:
        return f"{self.check_ref_id}: {self.old} -> {self.new}"


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Weekly")
    CRON = "cron", _("Cron")


class MaintenanceWindow(models.Model):
    """A time when checks keep running but record "maintenance" and open no incident."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    # Only this check (or integration) when set; every check and alert of the organisation
    # otherwise.
    check_ref = models.ForeignKey(
        Check,
        verbose_name=_("check"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_windows",
    )
    # Only alerts of this integration when set: they are recorded but open no incident.
    integration = models.ForeignKey(
        "channels_alerts.Integration",
        verbose_name=_("alert integration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_windows",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("public description"), blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=8, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    # One-off: the window itself. Recurring: the period in which the recurrence applies.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    # Weekly: ISO weekdays 1 (Monday) … 7 and a local start time; cron: an expression.
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    cron = models.CharField(_("cron expression"), max_length=100, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_public = models.BooleanField(_("shown on the status page"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(check_ref__isnull=True) | models.Q(integration__isnull=True),
                name="monitoring_maintenance_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_organization_wide(self) -> bool:
        return self.check_ref_id is None and self.integration_id is None


class StatusGroup(models.Model):
    """A public status page of some of an organisation's components, at its own URL."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address"), max_length=50)
    # Component names as the checks carry them (Check.component).
    components = models.JSONField(_("components"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "name", "id"]
        verbose_name = _("status page group")
        verbose_name_plural = _("status page groups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="monitoring_status_group_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name
