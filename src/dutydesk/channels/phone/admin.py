"""Admin pages: PBX integrations (the secret is shown once, on creation) and their calls."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.phone.models import PhoneCall, PhoneIntegration
from dutydesk.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(PhoneIntegration)
class PhoneIntegrationAdmin(AuditedAdmin):
    list_display = ["name", "organization", "is_active", "created_at"]
    fields = ["name", "organization", "is_active", "token"]
    readonly_fields = ["token"]
    actions = ["new_secret"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            secret = secrets.token_urlsafe(32)
            obj.secret = secret
            self._show_secret(request, obj, secret)
        super().save_model(request, obj, form, change)

    def _show_secret(self, request: HttpRequest, obj: Any, secret: str) -> None:
        messages.warning(
            request,
            _("Signing secret for %(name)s (shown only now): %(secret)s")
            % {"name": obj.name, "secret": secret},
        )

    @admin.action(description=_("Replace the signing secret"))
    def new_secret(self, request: HttpRequest, queryset: Any) -> None:
        for integration in queryset:
            secret = secrets.token_urlsafe(32)
            integration.secret = secret
            integration.save(update_fields=["secret_encrypted"])
            self._show_secret(request, integration, secret)


@admin.register(PhoneCall)
class PhoneCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "caller", "callee", "status", "agent_email", "ticket"]
    list_filter = ["status", "integration"]
    search_fields = ["caller", "callee", "call_id"]
    show_full_result_count = False
