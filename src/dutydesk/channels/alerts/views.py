"""The intake URLs: thin — check method, size and secret, hand the body to the service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from dutydesk.channels.alerts import selectors
from dutydesk.channels.alerts.models import IntakeStatus, Integration, IntegrationKind
from dutydesk.channels.alerts.parsers import pagerduty
from dutydesk.channels.alerts.services.intake import MAX_BODY_BYTES, IntakeResult, intake_receive
from dutydesk.core.machine import machine_endpoint


def _error(status: int, detail: str, **extra: object) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def _body(request: HttpRequest) -> bytes | JsonResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, _("Invalid Content-Length."))
    if length > MAX_BODY_BYTES:
        return _error(413, _("The body is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES})
    return request.body


def _not_allowed() -> JsonResponse:
    response = _error(405, _("Only POST is accepted here."))
    response["Allow"] = "POST"
    return response


def _receive(request: HttpRequest, integration: Integration) -> IntakeResult | JsonResponse:
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    return intake_receive(
        integration=integration, body=body, remote_addr=request.META.get("REMOTE_ADDR")
    )


def _answer(result: IntakeResult) -> JsonResponse:
    if result.status == IntakeStatus.REJECTED:
        return _error(400, result.reason)
    return JsonResponse(
        {
            "status": result.status,
            "alerts": len(result.alerts),
            "tickets": [t.number for t in result.tickets],
        }
    )


def _pagerduty_answer(result: IntakeResult | JsonResponse) -> HttpResponse:
    """PagerDuty's own answers, so its clients (Uptime Kuma, Gatus…) see success as success."""
    if isinstance(result, JsonResponse):
        return result
    if result.status == IntakeStatus.REJECTED:
        return JsonResponse(
            {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": [result.reason],
            },
            status=400,
        )
    return JsonResponse(
        {"status": "success", "message": "Event processed", "dedup_key": result.alerts[0].identity},
        status=202,
    )


@machine_endpoint
def hook(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """``/hooks/alerts/<token>/<kind>``: the URL shown when the integration was created."""
    if kind not in IntegrationKind.values:
        return _error(404, _("Unknown integration."))
    integration = selectors.integration_for_token(token, kind=kind)
    if integration is None:
        return _error(404, _("Unknown integration."))
    if request.method != "POST":
        return _not_allowed()
    result = _receive(request, integration)
    if kind == IntegrationKind.PAGERDUTY:
        return _pagerduty_answer(result)
    return result if isinstance(result, JsonResponse) else _answer(result)


@machine_endpoint
def pagerduty_enqueue(request: HttpRequest) -> HttpResponse:
    """``/hooks/alerts/pagerduty/v2/enqueue``: for tools that only let you change the host;
    the integration is found by the event's ``routing_key`` (the secret)."""
    if request.method != "POST":
        return _not_allowed()
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    token = pagerduty.routing_key(body)
    integration = selectors.integration_for_token(token, kind=IntegrationKind.PAGERDUTY)
    if integration is None:
        return _error(404, _("Unknown routing key."))
    result = intake_receive(
        integration=integration, body=body, remote_addr=request.META.get("REMOTE_ADDR")
    )
    return _pagerduty_answer(result)
