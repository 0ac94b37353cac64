"""Public endpoints of monitoring: heartbeat pings and status pages (no login)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dutydesk.monitoring.heartbeats import ping_record


def _ping(request: HttpRequest, key: uuid.UUID, signal: str) -> HttpResponse:
    if not ping_record(key=key, signal=signal):
        return HttpResponse("not found\n", status=404, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "success")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_start(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "start")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping_fail(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "fail")
