"""``POST /hooks/phone/<token>``: signed call events from a PBX."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutydesk.channels.phone.models import PhoneIntegration
from dutydesk.channels.phone.parse import EventInvalid, call_event_parse
from dutydesk.channels.phone.services import phone_event_process
from dutydesk.core.machine import machine_endpoint
from dutydesk.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid
from dutydesk.tickets.errors import TicketError


@machine_endpoint
@require_POST
def call_event(request: HttpRequest, token: str) -> JsonResponse:
    integration = PhoneIntegration.objects.filter(token=token, is_active=True).first()
    if integration is None:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    if not signature_valid(
        secret=integration.secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        given=request.headers.get(SIGNATURE_HEADER, ""),
        body=request.body,
        tolerance=settings.PHONE_SIGNATURE_TOLERANCE_SECONDS,
    ):
        return JsonResponse(
            {"detail": _("Missing or bad signature, or a timestamp more than 5 minutes off.")},
            status=401,
        )
    try:
        event = call_event_parse(json.loads(request.body))
    except ValueError:
        return JsonResponse({"detail": _("The body is not JSON.")}, status=400)
    except EventInvalid as exc:
        return JsonResponse({"detail": str(exc), "errors": exc.errors}, status=400)
    try:
        result = phone_event_process(integration=integration, event=event)
    except TicketError as exc:
        return JsonResponse({"detail": exc.message, "errors": exc.errors}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "call_id": event.call_id,
            "event": event.event,
            "duplicate": result.duplicate,
            "ticket": result.ticket.number if result.ticket else None,
        }
    )
