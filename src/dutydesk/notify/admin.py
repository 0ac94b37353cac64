"""Admin page of the outbox: see what was sent, what failed and why; retry failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dutydesk.core.admin import ReadOnlyAdmin
from dutydesk.notify.models import Delivery
from dutydesk.notify.services import deliveries_retry


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "subject"]
    actions = ["retry"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_superuser  # enables the retry action only

    @admin.action(description=_("Retry now"))
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        count = deliveries_retry(queryset)
        self.message_user(request, _("%(n)d deliveries will be retried.") % {"n": count})
