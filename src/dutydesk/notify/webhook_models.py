"""Outbound webhook subscriptions and the log of every attempt to deliver to them.

Re-exported by ``notify.models``. A subscription's deliveries are ordinary outbox rows
(``Delivery.webhook``); each try at sending one leaves a ``WebhookAttempt``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization


class WebhookSubscription(models.Model):
    """An admin's URL that receives the chosen events as signed JSON documents."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only events of this organisation's tickets; empty: all organisations."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Fernet-encrypted (dutydesk.core.crypto); the plain secret is shown once, on create
    # and on rotation.
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event: str, organization_id: int | None) -> bool:
        return event in self.events and (
            self.organization_id is None or self.organization_id == organization_id
        )


class WebhookAttempt(models.Model):
    """One try at POSTing a delivery: what the receiver answered, how fast, or why not."""

    delivery = models.ForeignKey(
        "notify.Delivery", on_delete=models.CASCADE, related_name="webhook_attempts"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    ok = models.BooleanField(_("delivered"))
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency, ms"))
    error = models.TextField(_("error"), blank=True)
    response_excerpt = models.TextField(_("response body (start)"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes = [models.Index(fields=["delivery", "number"], name="webhook_attempt_delivery_idx")]

    def __str__(self) -> str:
        return f"#{self.number} {self.response_code or self.error[:40]}"
