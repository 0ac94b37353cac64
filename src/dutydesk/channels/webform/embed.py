"""The form's public URL and the HTML a client pastes into their site to embed it."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape

from dutydesk.channels.webform.models import WebForm


def public_url(form: WebForm, *, language: str = "") -> str:
    url = settings.BASE_URL + reverse("webform", kwargs={"slug": form.slug})
    return f"{url}?lang={language}" if language else url


def embed_snippet(form: WebForm) -> str:
    """An iframe, and the script that sizes it to the form (optional: without it the frame
    keeps its height and scrolls). No inline script, so strict host policies accept it."""
    script = settings.BASE_URL + static("dutydesk/webform/embed.js")
    return (
        f'<iframe src="{escape(public_url(form))}" data-dutydesk-form title="{escape(form.name)}"'
        ' width="100%" height="760" style="border:0;max-width:100%" loading="lazy"></iframe>\n'
        f'<script src="{escape(script)}" async></script>'
    )
