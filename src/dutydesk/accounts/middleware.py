"""Language and time zone of each request, from the signed-in user's preferences."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header

from dutydesk.core.zones import zone_or_none

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _browser_language(request: HttpRequest) -> str | None:
    """The language the visitor chose with the switcher, else the first the browser accepts."""
    chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code != "*" and (found := _supported(code)):
            return found
    return None


def preferred_language(request: HttpRequest) -> str:
    """The user's profile first, then the browser, then the organisation, then the default."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (found := _supported(user.language)):
        return found
    if found := _browser_language(request):
        return found
    organization = getattr(user, "organization", None) if user is not None else None
    if organization is not None and (found := _supported(organization.language)):
        return found
    return settings.LANGUAGE_CODE


def preferred_time_zone(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return settings.TIME_ZONE
    for name in (user.time_zone, getattr(user.organization, "time_zone", "")):
        if zone_or_none(name) is not None:
            return name
    return settings.TIME_ZONE


class PreferencesMiddleware:
    """Runs after authentication (LocaleMiddleware cannot see the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        timezone.activate(zoneinfo.ZoneInfo(preferred_time_zone(request)))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
