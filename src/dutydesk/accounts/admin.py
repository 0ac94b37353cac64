"""Admin pages for people, clients, teams and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import ApiToken, Organization, Team, User
from dutydesk.accounts.services import api_token_create, api_token_revoke
from dutydesk.core.admin import AuditedAdmin


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty for a client contact who signs in by email link."),
    )

    class Meta:
        model = User
        fields = ["email", "name", "role", "organization"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"] or None)
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedAdmin):
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["email", "name", "role", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organization"]
    search_fields = ["email", "name", "phone"]
    ordering = ["email"]
    list_select_related = ["organization"]
    fields = [
        "email",
        "name",
        "role",
        "organization",
        "phone",
        "language",
        "time_zone",
        "is_active",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = [*UserCreationForm.Meta.fields, "password"]
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None):
        return [*UserCreationForm.Meta.fields, "password"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return [] if obj is None else self.readonly_fields


class TeamMembersInline(admin.TabularInline):
    model = Team.members.through
    extra = 1
    verbose_name = _("member")
    verbose_name_plural = _("members")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "slug", "tier", "email"]
    list_filter = ["tier"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    exclude = ["members"]
    inlines = [TeamMembersInline]


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = [
        "name",
        "slug",
        "default_team",
        "support_hours",
        "sla_policy",
        "language",
        "is_active",
    ]
    list_filter = ["support_hours", "is_active", "language"]
    search_fields = ["name", "slug", "email_domains", "contract_number"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["default_team", "sla_policy"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = api_token_create(user=obj.user, name=obj.name, by=request.user)
        obj.pk = token.pk
        self.message_user(
            request,
            _("The new token is %(token)s — copy it now, it will not be shown again.")
            % {"token": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(token=token, by=request.user)
