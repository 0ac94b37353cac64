"""Admin pages: integrations (the URL is shown once, on creation or rotation), alerts and
the intake log, whose rejected requests can be re-processed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dutydesk.channels.alerts.models import (
    Alert,
    IntakeLog,
    IntakeStatus,
    Integration,
    hook_url,
)
from dutydesk.channels.alerts.services.intake import intake_reprocess
from dutydesk.channels.alerts.services.integrations import integration_rotate, token_assign
from dutydesk.core.admin import AuditedAdmin, ReadOnlyAdmin


def _show_url(request: HttpRequest, integration: Integration, url: str) -> None:
    messages.warning(
        request,
        format_html(
            "{} <code>{}</code>",
            _("Configure %(name)s with this URL; it is shown only now:") % {"name": integration},
            url,
        ),
    )


@admin.register(Integration)
class IntegrationAdmin(AuditedAdmin):
    list_display = [
        "name",
        "organization",
        "kind",
        "is_active",
        "on_resolve",
        "team",
        "token_hint",
        "created_at",
    ]
    list_filter = ["kind", "is_active", "organization"]
    list_select_related = ["organization", "team"]
    search_fields = ["name", "organization__name"]
    fields = [
        "organization",
        "name",
        "kind",
        "is_active",
        "severity_map",
        "on_resolve",
        "team",
        "flap_minutes",
        "token_hint",
        "created_at",
        "rotated_at",
    ]
    readonly_fields = ["token_hint", "created_at", "rotated_at"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: Integration, form: Any, change: bool) -> None:
        token = None if change else token_assign(obj)
        super().save_model(request, obj, form, change)
        if token is not None:
            _show_url(request, obj, hook_url(obj, token))

    @admin.action(description=gettext_lazy("Rotate the secret (the old URL stops working)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Integration]) -> None:
        for integration in queryset:
            _show_url(
                request, integration, integration_rotate(integration=integration, by=request.user)
            )


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "integration",
        "status",
        "priority",
        "incident",
        "suppressed",
        "fired_count",
        "notification_count",
        "last_seen_at",
    ]
    list_filter = ["status", "priority", "suppressed", "integration__kind", "integration"]
    list_select_related = ["integration", "ticket"]
    search_fields = ["title", "identity", "=ticket__number"]
    date_hierarchy = "last_seen_at"
    show_full_result_count = False

    @admin.display(description=gettext_lazy("incident"), ordering="ticket__number")
    def incident(self, alert: Alert) -> str:
        if alert.ticket is None:
            return "—"
        url = reverse("admin:tickets_ticket_change", args=[alert.ticket_id])
        return format_html('<a href="{}">{}</a>', url, alert.ticket.reference)


@admin.register(IntakeLog)
class IntakeLogAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "integration",
        "status",
        "short_reason",
        "alert_count",
        "ticket",
        "remote_addr",
        "reprocessed_at",
    ]
    list_filter = ["status", "integration__kind", "integration", "received_at"]
    list_select_related = ["integration", "ticket"]
    search_fields = ["reason", "=ticket__number"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    actions = ["reprocess"]

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, log: IntakeLog) -> str:
        return log.reason if len(log.reason) <= 120 else log.reason[:119] + "…"

    @admin.action(description=gettext_lazy("Re-process the selected rejected requests"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[IntakeLog]) -> None:
        done = failed = 0
        for log in queryset.filter(status=IntakeStatus.REJECTED).select_related("integration"):
            result = intake_reprocess(log=log, by=request.user)
            if result.status == IntakeStatus.REJECTED:
                failed += 1
            else:
                done += 1
        messages.info(
            request,
            _("Re-processed: %(done)d accepted, %(failed)d rejected again.")
            % {"done": done, "failed": failed},
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
