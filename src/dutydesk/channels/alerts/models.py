"""Alert intake: integrations with secret URLs, the alerts they reported, and a log of requests.

An alert's identity is the source's own (Alertmanager groupKey + fingerprint, PagerDuty
dedup_key, Zabbix event id, generic ``id``); alerts of one source group (an Alertmanager
group, a Zabbix trigger) share an ``AlertGroup``, whose row is the lock that serialises
concurrent requests about the group and which remembers the group's current incident.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization, Team
from dutydesk.tickets.models import Priority, Ticket


class IntegrationKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    GRAFANA = "grafana", _("Grafana Alerting")
    ZABBIX = "zabbix", _("Zabbix")
    PAGERDUTY = "pagerduty", _("PagerDuty Events API v2 (Uptime Kuma, Gatus…)")
    GENERIC = "generic", _("Generic JSON")


class OnResolve(models.TextChoices):
    RESOLVE = "resolve", _("Resolve the ticket")
    NOTE = "note", _("Add an internal note only")


# Severity names of the supported sources (lower case) → ticket priority. "default" is
# used for a severity the map does not name.
DEFAULT_SEVERITY_MAP: dict[str, str] = {
    "critical": "P1",
    "disaster": "P1",
    "emergency": "P1",
    "page": "P1",
    "high": "P2",
    "error": "P2",
    "major": "P2",
    "average": "P3",
    "warning": "P3",
    "minor": "P3",
    "info": "P4",
    "information": "P4",
    "not classified": "P4",
    "none": "P4",
    "default": "P3",
}


def default_severity_map() -> dict[str, str]:
    return dict(DEFAULT_SEVERITY_MAP)


def token_digest(token: str) -> str:
    """What is stored of an intake token: requests are looked up by this, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Integration(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="alert_integrations",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("source"), max_length=20, choices=IntegrationKind.choices)
    # The secret is part of the URL; only its SHA-256 is kept, the URL is shown once.
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token starts with"), max_length=8, editable=False)
    severity_map = models.JSONField(
        _("severity → priority"),
        default=default_severity_map,
        blank=True,
        help_text=_('Lower-case severity names to P1–P4, and "default" for any other.'),
    )
    on_resolve = models.CharField(
        _("when the alert resolves"),
        max_length=10,
        choices=OnResolve.choices,
        default=OnResolve.RESOLVE,
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Incidents go to this team instead of the organisation's routing."),
    )
    flap_minutes = models.PositiveIntegerField(
        _("flapping window (minutes)"),
        default=60,
        help_text=_("An alert that fires again this soon after it resolved reopens its incident."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert integration")
        verbose_name_plural = _("alert integrations")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        mapping = self.severity_map
        if not isinstance(mapping, dict) or any(
            not isinstance(k, str) or v not in Priority.values for k, v in mapping.items()
        ):
            raise ValidationError(
                {"severity_map": _('Map severity names to "P1", "P2", "P3" or "P4".')}
            )

    def priority_for(self, severity: str) -> str:
        mapping = self.severity_map if isinstance(self.severity_map, dict) else {}
        key = (severity or "").strip().lower()
        for candidate in (mapping.get(key), mapping.get("default"), DEFAULT_SEVERITY_MAP.get(key)):
            if candidate in Priority.values:
                return candidate
        return Priority.P3


def hook_url(integration: Integration, token: str) -> str:
    """The full URL to configure in the source (needs the raw token, known only once)."""
    path = reverse("alerts-hook", kwargs={"token": token, "kind": integration.kind})
    return settings.BASE_URL + path


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class AlertGroup(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="groups")
    key = models.CharField(max_length=255)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("alert group")
        verbose_name_plural = _("alert groups")
        constraints = [
            models.UniqueConstraint(fields=["integration", "key"], name="alert_group_unique_key")
        ]

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="alerts"
    )
    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="alerts")
    identity = models.CharField(_("source identity"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices)
    title = models.CharField(_("title"), max_length=255)
    severity = models.CharField(_("severity"), max_length=50, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    source_url = models.CharField(_("source link"), max_length=2000, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    # Opened during a maintenance window: recorded, but no incident and no page.
    suppressed = models.BooleanField(_("in maintenance"), default=False)
    acknowledged = models.BooleanField(_("acknowledged at the source"), default=False)
    starts_at = models.DateTimeField(_("started (source)"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ended (source)"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    fired_count = models.PositiveIntegerField(_("times fired"), default=0)
    notification_count = models.PositiveIntegerField(_("notifications"), default=0)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "identity"], name="alert_unique_identity"
            )
        ]
        indexes = [models.Index(fields=["status", "-last_seen_at"], name="alert_status_seen_idx")]

    def __str__(self) -> str:
        return self.title


class IntakeStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Duplicate (nothing changed)")
    REJECTED = "rejected", _("Rejected")


class IntakeLog(models.Model):
    """One row per request to an intake URL; a rejected one keeps its body for re-processing."""

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="intake_log",
    )
    status = models.CharField(_("status"), max_length=10, choices=IntakeStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("raw body"), blank=True)
    remote_addr = models.GenericIPAddressField(_("from"), null=True, blank=True)
    reprocessed_at = models.DateTimeField(_("re-processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("intake log entry")
        verbose_name_plural = _("intake log")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["integration", "-received_at"], name="intake_integration_idx"),
            models.Index(fields=["status", "-received_at"], name="intake_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.status}"
