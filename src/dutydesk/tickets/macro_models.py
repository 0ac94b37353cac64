"""Canned replies and macros: a reply text with placeholders in English and Russian, plus
optional field changes applied in one step. Re-exported by ``tickets.models``."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization, Team

# {{ ticket.number }}, {{requester.name}}, …: letters, digits, underscores, one dot.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}")
PLACEHOLDERS = (
    "ticket.number",
    "ticket.reference",
    "ticket.subject",
    "ticket.priority",
    "ticket.status",
    "requester.name",
    "requester.email",
    "agent.name",
    "agent.email",
    "organization.name",
    "sla.first_response_due",
    "sla.resolution_due",
    "sla.promise",
)


def validate_placeholders(value: str) -> None:
    unknown = sorted({name for name in PLACEHOLDER.findall(value) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(names)s. Known: %(known)s."),
            code="placeholder",
            params={"names": ", ".join(unknown), "known": ", ".join(PLACEHOLDERS)},
        )


def status_choices() -> list[tuple[str, str]]:
    from dutydesk.tickets.models import Status  # models.py imports this module at its end

    return Status.choices


def priority_choices() -> list[tuple[str, str]]:
    from dutydesk.tickets.models import Priority

    return Priority.choices


class Macro(models.Model):
    """A canned reply (``body_en`` / ``body_ru``) and the changes it makes when applied.

    Shared with everyone (no owner, no team), with one team, or personal (an owner). A
    macro flagged as an organisation's confirmation is the text of the automatic
    confirmation its clients get.
    """

    title = models.CharField(_("title"), max_length=200)
    body_en = models.TextField(_("text (English)"), blank=True, validators=[validate_placeholders])
    body_ru = models.TextField(
        _("text (Russian)"),
        blank=True,
        validators=[validate_placeholders],
        help_text=_("Used for Russian-speaking clients; the English text when empty."),
    )
    as_note = models.BooleanField(
        _("post as internal note"), default=False, help_text=_("Never shown to the client.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: shared."),
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("shared with team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: every agent."),
    )
    set_status = models.CharField(
        _("set status"), max_length=10, blank=True, choices=status_choices
    )
    set_priority = models.CharField(
        _("set priority"), max_length=2, blank=True, choices=priority_choices
    )
    set_team = models.ForeignKey(
        Team,
        verbose_name=_("move to team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assign_to_me = models.BooleanField(_("assign to me"), default=False)
    confirmation_for = models.OneToOneField(
        Organization,
        verbose_name=_("confirmation of organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmation_macro",
        help_text=_("The automatic confirmation its clients get when they open a ticket."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        indexes = [models.Index(fields=["is_active", "title"], name="macro_active_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from dutydesk.tickets.models import Priority, Status

        errors = {}
        if not (self.body_en.strip() or self.body_ru.strip()) and not (
            self.set_status or self.set_priority or self.set_team_id or self.assign_to_me
        ):
            errors["body_en"] = _("A macro needs a text or at least one change.")
        if self.set_status and self.set_status not in Status.values:
            errors["set_status"] = _("Not a valid status.")
        if self.set_priority and self.set_priority not in Priority.values:
            errors["set_priority"] = _("Not a valid priority.")
        if self.confirmation_for_id and not self.body_en.strip():
            errors["body_en"] = _("A confirmation needs an English text.")
        if errors:
            raise ValidationError(errors)

    def body_for(self, language: str) -> str:
        """The text in ``language`` ("ru…" → Russian when written), else English."""
        if language.lower().startswith("ru") and self.body_ru.strip():
            return self.body_ru
        return self.body_en or self.body_ru
