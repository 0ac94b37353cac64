"""Admin pages of webhooks: subscriptions (the secret is shown once, on add) and the
attempt log; deliveries are replayed from the outbox's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dutydesk.core.admin import ReadOnlyAdmin
from dutydesk.core.crypto import secret_encrypt
from dutydesk.core.services import audit_record
from dutydesk.notify.models import WebhookAttempt, WebhookSubscription
from dutydesk.notify.webhooks.events import EVENTS
from dutydesk.notify.webhooks.services import (
    events_validate,
    url_validate,
    webhook_secret_rotate,
    webhook_test_send,
)
from dutydesk.notify.webhooks.signing import secret_new
from dutydesk.tickets.errors import ActionRefused


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, f"{name}: {text}") for name, text in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "organization", "is_active"]

    def _checked(self, check: Any, name: str) -> Any:
        try:
            return check(self.cleaned_data[name])
        except ActionRefused as exc:
            raise forms.ValidationError(exc.errors.get(name, exc.message)) from None

    def clean_url(self) -> str:
        return self._checked(url_validate, "url")

    def clean_events(self) -> list[str]:
        return self._checked(events_validate, "events")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = [
        "name",
        "url",
        "events",
        "organization",
        "is_active",
        "created_by",
        "created_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    actions = ["rotate_secret", "send_test_event"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        secret = ""
        if not change:
            obj.created_by = request.user
            secret = secret_new()
            obj.secret_encrypted = secret_encrypt(secret)
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user, action=f"webhook.{'changed' if change else 'created'}", obj=obj
        )
        if secret:
            self.message_user(
                request,
                _("Signing secret (shown only now, keep it): %(secret)s") % {"secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request: HttpRequest, queryset: Any) -> None:
        for subscription in queryset:
            secret = webhook_secret_rotate(subscription=subscription, by=request.user)
            self.message_user(
                request,
                _("New signing secret of %(name)s (shown only now): %(secret)s")
                % {"name": subscription.name, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request: HttpRequest, queryset: Any) -> None:
        for subscription in queryset:
            try:
                delivery = webhook_test_send(subscription=subscription, by=request.user)
            except ActionRefused as exc:
                self.message_user(
                    request,
                    _("%(name)s: %(reason)s") % {"name": subscription.name, "reason": exc.message},
                    messages.ERROR,
                )
                continue
            link = reverse("admin:notify_delivery_change", args=[delivery.pk])
            self.message_user(
                request,
                format_html(
                    _('A test event to {name} is queued as <a href="{link}">delivery #{id}</a>.'),
                    name=subscription.name,
                    link=link,
                    id=delivery.pk,
                ),
            )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "subscription",
        "delivery",
        "number",
        "ok",
        "response_code",
        "latency_ms",
        "error",
    ]
    list_filter = ["ok", "subscription"]
    list_select_related = ["subscription", "delivery"]
    show_full_result_count = False
