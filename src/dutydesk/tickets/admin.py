"""Admin pages: routing rules are configured here; tickets are read here, changed in the desk."""

from __future__ import annotations

from django.contrib import admin

from dutydesk.core.admin import AuditedAdmin, ReadOnlyAdmin
from dutydesk.tickets.models import Message, RoutingRule, Ticket


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = [
        "name",
        "position",
        "is_active",
        "organization",
        "channel",
        "category",
        "keywords",
        "set_team",
        "set_tier",
        "set_priority",
        "set_type",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "organization", "set_team"]
    list_select_related = ["organization", "set_team"]


class MessageInline(admin.StackedInline):
    model = Message
    fields = ["created_at", "author", "direction", "is_internal", "channel", "body_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "subject",
        "organization",
        "status",
        "priority",
        "team",
        "tier",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "priority", "type", "channel", "tier", "team", "organization"]
    search_fields = ["=number", "subject", "requester__email"]
    list_select_related = ["organization", "team", "assignee"]
    show_full_result_count = False
    inlines = [MessageInline]
