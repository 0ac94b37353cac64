"""Contact forms that anyone may fill in, at a secret URL or embedded in a client's site."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.tickets.models import Priority, TicketType


def _slug() -> str:
    return secrets.token_urlsafe(12)


def origins_validate(value: str) -> None:
    """Each line an origin as browsers send it: ``https://host`` or ``https://host:port``."""
    bad = [line for line in origin_list(value) if not _origin_ok(line)]
    if bad:
        raise ValidationError(
            _("Not an origin (like https://www.example.com): %(bad)s") % {"bad": ", ".join(bad)}
        )


def _origin_ok(origin: str) -> bool:
    scheme, sep, rest = origin.partition("://")
    if scheme not in ("http", "https") or not sep or not rest:
        return False
    return not any(c in rest for c in "/?#;,' \"") and not rest.startswith(":")


def origin_list(value: str) -> list[str]:
    return [line.strip().rstrip("/") for line in value.replace(",", "\n").split() if line.strip()]


class WebForm(models.Model):
    """One contact form: where its requests go, what it asks, where it may be embedded."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.CharField(
        _("public key"),
        max_length=40,
        unique=True,
        default=_slug,
        help_text=_("Part of the form's URL; replace it to retire a leaked link."),
    )
    # Empty: the organisation is found from the sender (a known contact, or the domain).
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the sender's organisation, found by their email address."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the routing rules and the organisation's team decide."),
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    allowed_origins = models.TextField(
        _("sites that may embed it"),
        blank=True,
        validators=[origins_validate],
        help_text=_("One origin a line, like https://www.example.com. Empty: only DutyDesk."),
    )
    ask_phone = models.BooleanField(_("ask for a phone number"), default=False)
    ask_company = models.BooleanField(_("ask for the company"), default=False)
    allow_attachments = models.BooleanField(_("allow attachments"), default=True)
    intro = models.TextField(_("introduction"), blank=True)
    success_message = models.TextField(
        _("success message"),
        blank=True,
        help_text=_("Shown after sending. Empty: a standard text with the ticket number."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return origin_list(self.allowed_origins)
