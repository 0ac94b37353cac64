"""Admin pages: routing rules are configured here; tickets are read here, changed in the desk."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dutydesk.core.admin import AuditedAdmin, ReadOnlyAdmin
from dutydesk.tickets.macro_models import PLACEHOLDERS
from dutydesk.tickets.models import Macro, Message, RoutingRule, TeamAutoAssign, Ticket


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
    list_filter = [
        "status",
        "priority",
        "type",
        "channel",
        "tier",
        "team",
        "organization",
        "solved_at_first_tier",
    ]
    search_fields = ["=number", "subject", "requester__email"]
    list_select_related = ["organization", "team", "assignee"]
    show_full_result_count = False
    inlines = [MessageInline]


@admin.register(Macro)
class MacroAdmin(AuditedAdmin):
    list_display = [
        "title",
        "is_active",
        "team",
        "owner",
        "as_note",
        "set_status",
        "set_priority",
        "set_team",
        "assign_to_me",
        "confirmation_for",
    ]
    list_filter = ["is_active", "team", "as_note", "confirmation_for"]
    search_fields = ["title", "body_en", "body_ru"]
    list_select_related = ["team", "owner", "set_team", "confirmation_for"]
    autocomplete_fields = ["owner"]
    fieldsets = [
        (None, {"fields": ["title", "is_active", "body_en", "body_ru", "as_note"]}),
        (gettext_lazy("Who may use it"), {"fields": ["team", "owner"]}),
        (
            gettext_lazy("Changes"),
            {"fields": ["set_status", "set_priority", "set_team", "assign_to_me"]},
        ),
        (gettext_lazy("Confirmation"), {"fields": ["confirmation_for"]}),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        known = ", ".join("{{ " + name + " }}" for name in PLACEHOLDERS)
        form.base_fields["body_en"].help_text = _("Placeholders: %(known)s.") % {"known": known}
        return form


@admin.register(TeamAutoAssign)
class TeamAutoAssignAdmin(AuditedAdmin):
    list_display = ["team", "mode", "last_assignee"]
    list_editable = ["mode"]
    list_select_related = ["team", "last_assignee"]
