"""Who else has the ticket open: a short-lived mark in the cache, polled by htmx."""

from __future__ import annotations

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dutydesk.tickets import selectors
from dutydesk.tickets.views.queue import staff_required

# A viewer polls every 10 s; after this long without a poll they have left.
SEEN_FOR = 30
TYPING_FOR = 12


def _cache():
    return caches["presence"]


def _key(ticket_pk: int) -> str:
    return f"presence:ticket:{ticket_pk}"


def _mark(ticket_pk: int, user_pk: int, name: str, *, typing: bool) -> dict:
    now = timezone.now().timestamp()
    viewers = {
        k: v for k, v in (_cache().get(_key(ticket_pk)) or {}).items() if now - v["seen"] < SEEN_FOR
    }
    mine = viewers.get(str(user_pk), {"typed": 0.0})
    viewers[str(user_pk)] = {"name": name, "seen": now, "typed": now if typing else mine["typed"]}
    _cache().set(_key(ticket_pk), viewers, SEEN_FOR * 2)
    return viewers


@staff_required
def presence(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    viewers = _mark(ticket.pk, request.user.pk, request.user.display_name, typing=False)
    now = timezone.now().timestamp()
    others = [
        {"name": v["name"], "typing": now - v["typed"] < TYPING_FOR}
        for k, v in sorted(viewers.items())
        if k != str(request.user.pk)
    ]
    if not others:
        return HttpResponse("")
    return render(request, "tickets/desk/_presence.html", {"others": others})


@staff_required
@require_POST
def typing(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    _mark(ticket.pk, request.user.pk, request.user.display_name, typing=True)
    return HttpResponse(status=204)
