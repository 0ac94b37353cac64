"""Admin pages of the shared kernel: the audit and access logs, read-only and filterable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dutydesk.core.models import AccessLog, AuditLog
from dutydesk.core.services import audit_record


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Configuration edited in the admin lands in the same audit trail as service writes."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = {f: (form.initial.get(f), form.cleaned_data.get(f)) for f in form.changed_data}
        super().save_model(request, obj, form, change)
        label = obj._meta.model_name
        audit_record(
            actor=request.user,
            action=f"{label}.{'changed' if change else 'created'}",
            obj=obj,
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.deleted", obj=obj)
        super().delete_model(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["object_id", "object_repr", "actor__email", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "object_type", "object_id", "via", "ip"]
    list_filter = ["via", "object_type", "created_at"]
    search_fields = ["object_id", "user__email", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
