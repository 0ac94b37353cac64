"""The acknowledge link of a page email: GET shows a button, only POST acknowledges
(mail scanners follow links, and must not acknowledge for anyone)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dutydesk.accounts.models import User
from dutydesk.oncall.feeds import feed_response
from dutydesk.oncall.models import Page, PageStatus
from dutydesk.oncall.paging import ack_token_read, page_acknowledge
from dutydesk.tickets.errors import ActionRefused


@require_http_methods(["GET", "POST"])
def page_ack(request: HttpRequest, token: str) -> HttpResponse:
    found = ack_token_read(token)
    page = Page.objects.select_related("ticket").filter(pk=found[0]).first() if found else None
    user = User.objects.filter(pk=found[1], is_active=True).first() if found else None
    if page is None or user is None:
        return render(
            request,
            "oncall/ack.html",
            {"error": _("This link is not valid or has expired.")},
            status=404,
        )
    context = {"page": page, "user": user}
    if request.method == "POST" and page.status == PageStatus.OPEN:
        try:
            page = page_acknowledge(page=page, by=user)
        except ActionRefused as exc:
            return render(request, "oncall/ack.html", {**context, "error": exc.message}, status=403)
        context.update(page=page, done=True)
    return render(request, "oncall/ack.html", context)


@require_http_methods(["GET"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    return feed_response(token)
