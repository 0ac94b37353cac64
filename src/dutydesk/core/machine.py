"""Machine endpoints: URLs that machines call (source hooks, heartbeat pings), served past
the browser middleware.

Sessions, CSRF, authentication, the second factor, messages, htmx, CSP and django-axes
do nothing for a request that carries no cookie and gets JSON or text back, yet on a duplicate
alert notification they cost about a fifth of the CPU. A view marked ``machine_endpoint``
is called from here instead: after the security and client-address middleware, in the
language the request asks for (cookie or Accept-Language, else ``LANGUAGE_CODE``: no
session, so never a signed-in person's profile), with the Content-Length, Vary and
X-Frame-Options headers the skipped middleware would have added, and without the
per-request ``SELECT 1`` health check (see ``core.connections``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from dutydesk.core.connections import without_health_check

PREFIXES = ("/hooks/", "/ping/")  # only these are resolved early; the rest go on at once

View = Callable[..., HttpResponse]


def machine_endpoint(view: View) -> View:
    """Mark a view (CSRF-exempt) to be served past the browser middleware."""
    view = csrf_exempt(view)
    view.machine_endpoint = True  # type: ignore[attr-defined]
    return view


class MachineEndpointMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "machine_endpoint", False):
            return self.get_response(request)
        request.resolver_match = match
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = without_health_check(lambda: match.func(request, *match.args, **match.kwargs))
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if not response.streaming:
            response.headers.setdefault("Content-Length", str(len(response.content)))
        return response
