"""PBX integrations (one hook token and signing secret each), their calls and call events."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.core.crypto import secret_decrypt, secret_encrypt


def _token() -> str:
    return secrets.token_urlsafe(24)


class PhoneIntegration(models.Model):
    """One telephony system posting to ``/hooks/phone/<token>``, signing with ``secret``."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("hook token"), max_length=64, unique=True, default=_token)
    secret_encrypted = models.TextField(_("signing secret (encrypted)"))
    # Callers whose number no contact has become contacts of this organisation.
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation of unknown callers"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone integration")
        verbose_name_plural = _("phone integrations")

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        return secret_decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = secret_encrypt(value)


class CallEventKind(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    ENDED = "ended", _("Ended")


class PhoneCall(models.Model):
    """One call as the PBX reported it; ``ticket`` is the request it opened or joined."""

    integration = models.ForeignKey(
        PhoneIntegration, on_delete=models.CASCADE, related_name="calls"
    )
    call_id = models.CharField(_("call id"), max_length=128)
    caller = models.CharField(_("caller"), max_length=64)
    callee = models.CharField(_("callee"), max_length=64, blank=True)
    agent_email = models.CharField(_("agent"), max_length=254, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("last event"), max_length=10, choices=CallEventKind.choices)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        constraints = [
            models.UniqueConstraint(fields=["integration", "call_id"], name="phone_call_unique")
        ]

    def __str__(self) -> str:
        return f"{self.caller} → {self.callee} ({self.status})"


class PhoneCallEvent(models.Model):
    """Each (call, event) is accepted once: a PBX retry of the same event is a no-op."""

    call = models.ForeignKey(PhoneCall, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("event"), max_length=10, choices=CallEventKind.choices)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "event"], name="phone_call_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.event}"
