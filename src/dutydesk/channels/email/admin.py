"""Admin pages of the email channel: mailboxes (with a connection test) and quarantine."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.email.imap import ImapError, connection_test
from dutydesk.channels.email.models import Mailbox
from dutydesk.core.admin import AuditedAdmin


class MailboxForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "security",
            "username",
            "new_password",
            "folder",
            "organization",
            "from_address",
            "after_processing",
            "processed_folder",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("after_processing") == "move" and not data.get("processed_folder"):
            self.add_error("processed_folder", _("Name the folder processed mail is moved to."))
        return data

    def save(self, commit: bool = True) -> Mailbox:
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            mailbox.password = self.cleaned_data["new_password"]
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(AuditedAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "username",
        "host",
        "folder",
        "organization",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    list_filter = ["is_active", "security"]
    readonly_fields = ["uidvalidity", "last_uid", "last_polled_at", "last_error"]
    actions = ["test_connection"]

    @admin.action(description=_("Test connection"))
    def test_connection(self, request: HttpRequest, queryset: Any) -> None:
        for mailbox in queryset:
            try:
                answer = connection_test(mailbox)
            except ImapError as exc:
                self.message_user(
                    request,
                    _("%(mailbox)s: failed: %(answer)s") % {"mailbox": mailbox, "answer": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: OK: %(answer)s") % {"mailbox": mailbox, "answer": answer},
                    messages.SUCCESS,
                )
