"""``/forms/<key>/``: the public contact form, as a page or inside a client's iframe.

No sign-in and no CSRF cookie (a third-party iframe does not get one): the signed
per-render token stands in, and the page may be framed only by the form's origins.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dutydesk.channels.webform.forms import SubmissionForm
from dutydesk.channels.webform.models import WebForm
from dutydesk.channels.webform.services import Submission, rate_limit_hit, webform_submit
from dutydesk.core.context import request_ip
from dutydesk.tickets.errors import InboundConflict, TicketError
from dutydesk.tickets.forms import as_inbound_attachments


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def webform_page(request: HttpRequest, slug: str) -> HttpResponse:
    webform = WebForm.objects.filter(slug=slug, is_active=True).first()
    if webform is None:
        raise Http404
    language = _asked_language(request) or request.LANGUAGE_CODE  # else the browser's
    with translation.override(language):
        response = _page(request, webform, language)
    # Framing: only DutyDesk itself and the sites the form names.
    response._csp_replace = {"frame-ancestors": ["'self'", *webform.origins]}
    response.headers["Content-Language"] = language
    return response


def _asked_language(request: HttpRequest) -> str | None:
    code = request.GET.get("lang", "")
    return code if code in dict(settings.LANGUAGES) else None


def _page(request: HttpRequest, webform: WebForm, language: str) -> HttpResponse:
    context = {"webform": webform, "language": language}
    if request.method != "POST":
        form = SubmissionForm(webform=webform)
        return render(request, "channels_webform/form.html", {**context, "form": form})
    form = SubmissionForm(request.POST, request.FILES, webform=webform)
    status = 400
    if form.is_valid():
        if rate_limit_hit(request_ip(request)):
            form.add_error(
                None, _("Too many messages from your network. Please try again in a few minutes.")
            )
            status = 429
        else:
            try:
                result = webform_submit(webform=webform, submission=_submission(form, language))
            except InboundConflict:
                # The same rendered form came back with other content (edited after sending).
                form.add_error(
                    None, _("This form was already sent. You can send another request now.")
                )
                form.fresh_token()
            except TicketError as error:
                _errors_to_form(form, error)
            else:
                context["ticket"] = result.ticket
                return render(request, "channels_webform/sent.html", context)
    elif form.has_error(NON_FIELD_ERRORS, "token") and not form.too_fast:
        form.fresh_token()
    return render(request, "channels_webform/form.html", {**context, "form": form}, status=status)


def _submission(form: SubmissionForm, language: str) -> Submission:
    data = form.cleaned_data
    return Submission(
        name=data["name"],
        email=data["email"],
        subject=data["subject"],
        message=data["message"],
        nonce=form.nonce,
        language=language,
        phone=data.get("phone", ""),
        company=data.get("company", ""),
        attachments=as_inbound_attachments(data.get("attachments") or []),
    )


def _errors_to_form(form: SubmissionForm, error: TicketError) -> None:
    placed = False
    for field, text in error.errors.items():
        target = {"body": "message", "requester": "email", "attachments": "attachments"}.get(
            field, field
        )
        if target in form.fields:
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, error.message)
