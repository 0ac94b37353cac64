"""API v1: mounts each app's router; OpenAPI at ``openapi.json``, docs at ``docs``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from dutydesk.accounts.api import router as accounts_router
from dutydesk.api.auth import ApiTokenAuth
from dutydesk.api.errors import install_error_handlers, json_error
from dutydesk.channels.alerts.api import router as alerts_router
from dutydesk.channels.email.api import router as email_router
from dutydesk.channels.phone.api import build_router as phone_router
from dutydesk.channels.telegram.api import build_router as telegram_router
from dutydesk.channels.webform.api import build_router as webform_router
from dutydesk.monitoring.api import router as monitoring_router
from dutydesk.notify.webhooks.api import router as webhooks_router
from dutydesk.oncall.api import router as oncall_router
from dutydesk.sla.api import router as sla_router
from dutydesk.tickets.api import router as tickets_router


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = json_error(405, _("Method not allowed; use one of: %s.") % allowed)
            response["Allow"] = allowed
        return response

    return wrapper


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return json_error(404, _("Not found."))


def index(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "docs": reverse(f"{api.urls_namespace}:openapi-view"),
            "openapi": reverse(f"{api.urls_namespace}:openapi-json"),
        }
    )


class DutyDeskAPI(NinjaAPI):
    """Answers JSON everywhere: an index at the root, errors for unknown paths and methods."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                view = index if pattern.name == "api-root" else pattern.callback
                pattern.callback = _json_method_not_allowed(view)
        return [*patterns, re_path(r"^(?P<rest>.*)$", unknown_path)], app_name, namespace


api = DutyDeskAPI(
    title="DutyDesk API",
    version="1",
    description="Tickets, clients and people of a DutyDesk service desk. "
    "Authenticate with a personal API token: `Authorization: Bearer <token>`.",
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
)
install_error_handlers(api)
api.add_router("/tickets", tickets_router)
api.add_router("/", accounts_router)
api.add_router("/sla", sla_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/", oncall_router)
api.add_router("/", monitoring_router)
api.add_router("/", alerts_router)
api.add_router("/channels", email_router)
api.add_router("/channels", telegram_router())
api.add_router("/channels", phone_router())
api.add_router("/channels", webform_router())
