"""The outbox: every message DutyDesk sends is a Delivery row first."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.Model):
    """A message to send; written in the same transaction as the change it reports.

    ``next_attempt_at`` is the timer: a worker claims a due row by moving it forward by
    a lease, so a worker that dies mid-send leaves a row that becomes due again.
    """

    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    headers = models.JSONField(default=dict, blank=True)
    # What a channel needs beyond subject and body: a Telegram chat id and buttons, a
    # webhook's JSON document, an email's HTML part and attachment ids.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The subscription of an outbound webhook event; its deliveries are signed and logged.
    webhook = models.ForeignKey(
        "notify.WebhookSubscription",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        db_index=False,  # delivery_webhook_idx below serves lookups by subscription
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["webhook", "-created_at"],
                name="delivery_webhook_idx",
                condition=models.Q(webhook__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"


from dutydesk.notify.webhook_models import (  # noqa: E402, F401  (models of this app)
    WebhookAttempt,
    WebhookSubscription,
)
