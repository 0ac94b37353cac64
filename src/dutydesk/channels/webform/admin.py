"""Admin pages: web forms, with their public link, a preview and the embed code."""

from __future__ import annotations

import secrets

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.webform.embed import embed_snippet, public_url
from dutydesk.channels.webform.models import WebForm
from dutydesk.core.admin import AuditedAdmin


@admin.register(WebForm)
class WebFormAdmin(AuditedAdmin):
    list_display = ["name", "organization", "team", "is_active", "link", "created_at"]
    list_filter = ["is_active", "organization"]
    list_select_related = ["organization", "team"]
    search_fields = ["name"]
    readonly_fields = ["slug", "link", "embed_code"]
    actions = ["new_key"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "intro", "success_message"]}),
        (
            _("Where requests go"),
            {"fields": ["organization", "team", "priority", "type", "category"]},
        ),
        (_("What it asks"), {"fields": ["ask_phone", "ask_company", "allow_attachments"]}),
        (_("Publishing"), {"fields": ["allowed_origins", "slug", "link", "embed_code"]}),
    ]

    @admin.display(description=_("public link"))
    def link(self, obj: WebForm) -> str:
        if not obj.pk:
            return "—"
        url = public_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.display(description=_("embed code"))
    def embed_code(self, obj: WebForm) -> str:
        if not obj.pk:
            return _("Save the form to get its embed code.")
        return format_html(
            '<textarea readonly rows="4" cols="90" class="vLargeTextField">{}</textarea>'
            '<p class="help">{}</p>',
            embed_snippet(obj),
            _(
                "Paste it into the page of the site. The site must be listed under "
                "“sites that may embed it”; the script is optional and sizes the frame."
            ),
        )

    @admin.action(description=_("Give a new public key (the old link stops working)"))
    def new_key(self, request: HttpRequest, queryset) -> None:
        for form in queryset:
            form.slug = secrets.token_urlsafe(12)
            form.save(update_fields=["slug"])
            messages.info(
                request, _("%(name)s: %(url)s") % {"name": form.name, "url": public_url(form)}
            )
