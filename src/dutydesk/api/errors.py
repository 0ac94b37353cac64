"""Every API error is JSON ``{"detail": ...}`` with a 4xx; this module maps exceptions to them.

Status codes:

- 400: the body is not JSON, or Django refused the request (too many fields, bad host).
- 401: no token, or a token that is unknown, revoked or belongs to an inactive user.
- 403: an action the caller may not take on something they can see (``ActionRefused``
  without field errors: "only support staff can do this").
- 404: the object does not exist or is not the caller's to see; also unknown API paths.
- 405: the path exists, the method does not.
- 409: an ``Idempotency-Key`` reused with a different request (``InboundConflict``); a
  test event asked of a paused webhook.
- 413: the request body or an attachment is larger than the configured limit.
- 422: input that does not validate: ninja's schema errors (``detail`` is a list), and
  the services' ``InboundRejected`` / ``ActionRefused`` with field errors, rendered as
  ``{"detail": message, "errors": {field: message}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from dutydesk.tickets.errors import ActionRefused, InboundConflict, TicketError


class ApiError(Exception):
    """An error the API itself detects (an unknown slug, a customer asking for staff work)."""

    def __init__(self, status: int, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}


def error_body(detail: Any, errors: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = {field: str(message) for field, message in errors.items()}
    return body


def json_error(status: int, detail: Any, errors: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(error_body(detail, errors), status=status)


def ticket_error_status(exc: TicketError) -> int:
    if isinstance(exc, InboundConflict):
        return 409
    if isinstance(exc, ActionRefused) and not exc.errors:
        # Refused with no field to blame: the caller is not allowed to do this at all.
        return 403
    return 422


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest, status: int, detail: Any, errors: dict[str, str] | None = None
    ) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    def on_ticket_error(request: HttpRequest, exc: TicketError) -> HttpResponse:
        return respond(request, ticket_error_status(exc), exc.message, exc.errors)

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request, 401, _("Authentication required: send 'Authorization: Bearer <token>'.")
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("Not found."))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, request_too_large_message())

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, 400, _("The request was refused as malformed."))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(TicketError, on_ticket_error)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)


def request_too_large_message() -> str:
    return _("The request body is larger than %(limit)d bytes.") % {
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


# Room for the multipart boundaries, headers and small form fields around one file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def refuse_uploads_over_attachment_limit(view: Callable[..., HttpResponse]) -> Callable:
    """413 before the body is read when its declared length cannot hold an allowed file.

    Django streams file parts to disk without a size limit, so without this check a
    huge upload would be written out completely before the handler could refuse it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.ATTACHMENT_MAX_BYTES
        if declared > limit + MULTIPART_OVERHEAD_BYTES:
            return json_error(413, attachment_too_large_message(limit))
        return view(request, *args, **kwargs)

    return wrapper


def attachment_too_large_message(limit: int) -> str:
    return _("Attachments may be at most %(limit)d bytes.") % {"limit": limit}
