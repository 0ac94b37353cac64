"""The acting request's source address, so services can audit it without a request argument."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def request_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, REMOTE_ADDR is the proxy; deployments that trust one set X-Real-IP.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class ClientIPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
