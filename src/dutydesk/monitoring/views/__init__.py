"""Public endpoints of monitoring: heartbeat pings and status pages (no login)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods

from dutydesk.accounts.models import Organization
from dutydesk.core.machine import machine_endpoint
from dutydesk.monitoring import statuspage
from dutydesk.monitoring.heartbeats import ping_record
from dutydesk.monitoring.models import StatusGroup


def _ping(request: HttpRequest, key: uuid.UUID, signal: str) -> HttpResponse:
    if not ping_record(key=key, signal=signal):
        return HttpResponse("not found\n", status=404, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")


@machine_endpoint
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "success")


@machine_endpoint
@require_http_methods(["GET", "POST", "HEAD"])
def ping_start(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "start")


@machine_endpoint
@require_http_methods(["GET", "POST", "HEAD"])
def ping_fail(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    return _ping(request, key, "fail")


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return translation.get_language_from_request(request)


def _organization(slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug, is_active=True)


def _group(organization: Organization, group: str | None) -> StatusGroup | None:
    if group is None:
        return None
    return get_object_or_404(StatusGroup, organization=organization, slug=group)


@require_http_methods(["GET", "HEAD"])
def status_page(request: HttpRequest, slug: str, group: str | None = None) -> HttpResponse:
    """The organisation's public page, or that of one group of its components."""
    organization = _organization(slug)
    status_group = _group(organization, group)
    language = _language(request)
    with translation.override(language):
        page = statuspage.status_page(
            organization=organization, now=timezone.now(), group=status_group
        )
        html = render_to_string(
            "monitoring/status.html",
            {
                "page": page,
                "zone": organization.time_zone or "UTC",
                "language": language,
                "languages": settings.LANGUAGES,
            },
            request=request,
        )
    response = HttpResponse(html)
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    patch_cache_control(response, public=True, max_age=30)
    return response


@require_http_methods(["GET", "HEAD"])
def status_json(request: HttpRequest, slug: str, group: str | None = None) -> JsonResponse:
    organization = _organization(slug)
    status_group = _group(organization, group)
    with translation.override(_language(request)):
        page = statuspage.status_page(
            organization=organization, now=timezone.now(), group=status_group
        )
        response = JsonResponse(statuspage.status_page_json(page))
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=30)
    return response
