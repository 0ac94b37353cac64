"""Admin pages for business calendars (validated whole before anything is saved) and SLA
policies with their targets."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from dutydesk.core.admin import AuditedAdmin
from dutydesk.sla.calendars import calendar_validate
from dutydesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Policy,
    PolicyTarget,
    WorkingInterval,
)
from dutydesk.sla.recompute import policies_of_calendar, sla_recompute_later


class CalendarFormSet(BaseInlineFormSet):
    """An inline that knows its sibling inlines, so the last one checks the calendar whole."""

    def __init__(self, *args: Any, siblings: list[CalendarFormSet] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else []
        self.siblings.append(self)

    def rows(self) -> list[Any]:
        return [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if self is not self.siblings[-1] or len(self.siblings) < 2:
            return
        if not all(sibling.is_valid() for sibling in self.siblings[:-1]) or any(self.errors):
            return  # the row errors come first
        intervals = [r for s in self.siblings for r in s.rows() if isinstance(r, WorkingInterval)]
        days = [r for s in self.siblings for r in s.rows() if isinstance(r, CalendarDay)]
        try:
            calendar_validate(calendar=self.instance, intervals=intervals, days=days)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = CalendarFormSet
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarFormSet
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    list_display = ["name", "slug", "time_zone", "always_open", "holiday_country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkingIntervalInline, CalendarDayInline]

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # One list per request and calendar: the inlines register themselves in it.
        group: dict[int, list[CalendarFormSet]] = request.__dict__.setdefault("_sla_inlines", {})
        kwargs["siblings"] = group.setdefault(id(obj), [])
        return kwargs

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Open tickets measured on this calendar get their dues recomputed after commit.
        sla_recompute_later(policy_ids=policies_of_calendar(form.instance.pk))


class PolicyTargetInline(admin.TabularInline):
    model = PolicyTarget
    extra = 0
    max_num = 4  # one per priority


@admin.register(Policy)
class PolicyAdmin(AuditedAdmin):
    list_display = ["name", "slug", "calendar", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["calendar"]
    inlines = [PolicyTargetInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Targets, limits, calendar or default changed: recompute open tickets after commit.
        sla_recompute_later(policy_ids=[form.instance.pk])
