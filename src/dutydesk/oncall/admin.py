"""Admin pages for schedules (layers and overrides inline), policies, pages and shift reports."""

from __future__ import annotations

from django.contrib import admin

from dutydesk.oncall.models import (
    CalendarFeed,
    ContactMethod,
    EscalationPolicy,
    EscalationStep,
    LayerParticipant,
    Override,
    Page,
    PageNotification,
    RotationLayer,
    Schedule,
    ShiftReport,
)


class LayerInline(admin.TabularInline):
    model = RotationLayer
    extra = 0
    show_change_link = True


class OverrideInline(admin.TabularInline):
    model = Override
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "time_zone"]
    list_filter = ["team"]
    inlines = [LayerInline, OverrideInline]


class ParticipantInline(admin.TabularInline):
    model = LayerParticipant
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(RotationLayer)
class RotationLayerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "schedule", "level", "shift_count", "shift_unit", "handoff_at"]
    list_filter = ["schedule"]
    inlines = [ParticipantInline]


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["schedule", "user", "start", "end"]
    list_filter = ["schedule"]
    autocomplete_fields = ["user"]


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "repeat", "fallback"]
    inlines = [StepInline]


class NotificationInline(admin.TabularInline):
    model = PageNotification
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in PageNotification._meta.fields]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["pk", "ticket", "reason", "status", "team", "created_at", "acknowledged_by"]
    list_filter = ["status", "reason", "team"]
    readonly_fields = [f.name for f in Page._meta.fields]
    inlines = [NotificationInline]


@admin.register(ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "address", "is_active"]
    list_filter = ["kind"]
    autocomplete_fields = ["user"]


@admin.register(ShiftReport)
class ShiftReportAdmin(admin.ModelAdmin):
    list_display = [
        "schedule",
        "user",
        "starts_at",
        "ends_at",
        "briefing_sent_at",
        "handover_sent_at",
    ]
    list_filter = ["schedule"]
    date_hierarchy = "starts_at"
    readonly_fields = ["briefing", "handover", "briefing_sent_at", "handover_sent_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user"]
