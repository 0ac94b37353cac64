"""Mailboxes DutyDesk reads, the Message-IDs of every thread, CC'd people, quarantine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.core.crypto import secret_decrypt, secret_encrypt


class Security(models.TextChoices):
    TLS = "tls", _("TLS (IMAPS)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (loopback or trusted network only)")


class AfterProcessing(models.TextChoices):
    SEEN = "seen", _("Mark as seen")
    MOVE = "move", _("Move to a folder")


class Mailbox(models.Model):
    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    # None: the organisation is found from the sender's address (its email domains).
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name=_("organisation"),
        help_text=_("Leave empty to route by the sender's email domain."),
    )
    from_address = models.EmailField(_("From address for replies"))
    after_processing = models.CharField(
        _("after processing"),
        max_length=10,
        choices=AfterProcessing.choices,
        default=AfterProcessing.SEEN,
    )
    processed_folder = models.CharField(
        _("processed folder"),
        max_length=255,
        blank=True,
        help_text=_("Where processed messages are moved, when they are moved."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("last UID"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    # The poller holding this mailbox, until when; a dead poller's claim runs out.
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.username}@{self.host}>"

    @property
    def password(self) -> str:
        return secret_decrypt(self.password_encrypted)

    @password.setter
    def password(self, value: str) -> None:
        self.password_encrypted = secret_encrypt(value)


class RefDirection(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MessageRef(models.Model):
    """A Message-ID we sent or received, so replies thread by their headers first."""

    message_id = models.CharField(_("Message-ID"), max_length=255)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="email_refs"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=RefDirection.choices)
    sender = models.EmailField(_("sender"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["message_id"], name="email_ref_msgid_idx"),
            models.Index(fields=["sender", "created_at"], name="email_ref_sender_idx"),
        ]
        verbose_name = _("email Message-ID")
        verbose_name_plural = _("email Message-IDs")

    def __str__(self) -> str:
        return self.message_id


class Participant(models.Model):
    """Someone CC'd on a ticket's mail: they receive the replies too."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="email_participants"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "email"], name="email_participant_unique")
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.email


class QuarantineReason(models.TextChoices):
    UNPARSABLE = "unparsable", _("Cannot be parsed")
    UNROUTABLE = "unroutable", _("No organisation for the sender")
    REJECTED = "rejected", _("Rejected by the ticket rules")
    TOO_LARGE = "too_large", _("Too large")
    RATE_LIMITED = "rate_limited", _("Too many messages from the sender")
    CONFLICT = "conflict", _("Message-ID reused with other content")
    LOOP = "loop", _("Automatic message not about a ticket")
    ERROR = "error", _("Processing failed")


class QuarantineStatus(models.TextChoices):
    HELD = "held", _("Held")
    REPROCESSED = "reprocessed", _("Re-processed")
    DISCARDED = "discarded", _("Discarded")


def quarantine_path(instance: QuarantinedMessage, filename: str) -> str:
    return f"email/quarantine/{filename[:2]}/{filename}"


class QuarantinedMessage(models.Model):
    """A message that did not become part of a ticket, kept raw with the reason."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="quarantine"
    )
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    raw = models.FileField(_("raw message"), upload_to=quarantine_path, max_length=255)
    reason = models.CharField(_("reason"), max_length=20, choices=QuarantineReason.choices)
    detail = models.TextField(_("detail"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=QuarantineStatus.choices,
        default=QuarantineStatus.HELD,
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # One quarantine row per mailbox position, so a re-poll does not repeat it.
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="email_quarantine_position_unique"
            )
        ]
        verbose_name = _("quarantined email")
        verbose_name_plural = _("quarantined emails")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.subject or self.message_id}"
