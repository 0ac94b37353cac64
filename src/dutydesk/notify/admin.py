"""Admin page of the outbox: see what was sent, what failed and why; retry failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dutydesk.core.admin import ReadOnlyAdmin
from dutydesk.notify.models import Delivery
from dutydesk.notify.services import deliveries_retry
from dutydesk.notify.webhooks import admin as webhooks_admin  # noqa: F401  (registers its pages)
from dutydesk.notify.webhooks.services import webhook_replay
from dutydesk.tickets.errors import ActionRefused


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
    list_filter = ["status", "kind", "channel", "webhook"]
    search_fields = ["recipient", "subject"]
    actions = ["retry", "replay"]
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_superuser  # enables the retry action only

    @admin.action(description=_("Retry now"))
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        count = deliveries_retry(queryset)
        self.message_user(request, _("%(n)d deliveries will be retried.") % {"n": count})

    @admin.action(description=_("Replay (webhook deliveries: send the same document again)"))
    def replay(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        for delivery in queryset.filter(webhook__isnull=False).select_related("webhook"):
            try:
                webhook_replay(delivery=delivery, by=request.user)
            except ActionRefused as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d delivery will be sent again.", "%(n)d deliveries will be sent again.", count
            )
            % {"n": count},
        )
