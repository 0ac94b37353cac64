"""Admin pages of the email channel: mailboxes (with a connection test) and quarantine."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.email.imap import ImapError, connection_test
from dutydesk.channels.email.models import Mailbox, QuarantinedMessage, QuarantineStatus
from dutydesk.channels.email.quarantine import quarantine_raw
from dutydesk.channels.email.receive import QUARANTINED
from dutydesk.channels.email.services import quarantine_discard, quarantine_reprocess
from dutydesk.core.admin import AuditedAdmin, ReadOnlyAdmin

# Enough of a raw message to judge it; the whole file stays in storage.
RAW_PREVIEW_BYTES = 20_000


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


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "mailbox", "sender", "subject", "reason", "status", "ticket"]
    list_filter = ["status", "reason", "mailbox"]
    search_fields = ["sender", "subject", "message_id"]
    fields = [
        "received_at",
        "mailbox",
        "uid",
        "uidvalidity",
        "message_id",
        "sender",
        "subject",
        "size",
        "reason",
        "detail",
        "status",
        "ticket",
        "handled_by",
        "raw_preview",
    ]
    readonly_fields = fields
    actions = ["reprocess", "discard"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_superuser  # enables the actions only

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("Raw message"))
    def raw_preview(self, obj: QuarantinedMessage) -> str:
        try:
            raw = quarantine_raw(obj)
        except OSError as exc:
            return str(exc)
        text = raw[:RAW_PREVIEW_BYTES].decode("utf-8", errors="replace")
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text)

    @admin.action(description=_("Re-process"))
    def reprocess(self, request: HttpRequest, queryset: Any) -> None:
        done = held = 0
        for item in queryset.filter(status=QuarantineStatus.HELD):
            if quarantine_reprocess(item=item, by=request.user) == QUARANTINED:
                held += 1
            else:
                done += 1
        self.message_user(
            request,
            _("%(done)d re-processed, %(held)d still held.") % {"done": done, "held": held},
        )

    @admin.action(description=_("Discard"))
    def discard(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for item in queryset.filter(status=QuarantineStatus.HELD):
            quarantine_discard(item=item, by=request.user)
            count += 1
        self.message_user(request, _("%(n)d discarded.") % {"n": count})
