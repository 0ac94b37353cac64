"""/api/v1/webhooks: admins subscribe URLs to events and read (and replay) the deliveries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from dutydesk.accounts.models import Organization, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.notify.models import Delivery, WebhookSubscription
from dutydesk.notify.webhooks import selectors
from dutydesk.notify.webhooks.events import EVENTS
from dutydesk.notify.webhooks.services import (
    WebhookPaused,
    require_admin,
    webhook_create,
    webhook_delete,
    webhook_replay,
    webhook_secret_rotate,
    webhook_test_send,
    webhook_update,
)
from dutydesk.tickets.errors import ActionRefused

router = Router(tags=["webhooks"])


def _admin(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        require_admin(user)
    except ActionRefused as exc:
        raise ApiError(403, exc.message) from None
    return user


def _organization(slug: str | None) -> Organization | None:
    if slug is None:
        return None
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise ApiError(
            422, _("The webhook is not valid."), {"organization": _("Unknown organisation.")}
        )
    return organization


class AttemptOut(Schema):
    number: int
    started_at: datetime
    ok: bool
    response_code: int | None
    latency_ms: int
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: int
    event: str = Field(..., alias="kind")
    event_id: str | None = None
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str
    ticket: int | None = None
    replay_of: int | None = None

    @staticmethod
    def resolve_event_id(obj: Delivery) -> str | None:
        return obj.payload.get("event_id")

    @staticmethod
    def resolve_ticket(obj: Delivery) -> int | None:
        return obj.ticket.number if obj.ticket else None

    @staticmethod
    def resolve_replay_of(obj: Delivery) -> int | None:
        return obj.payload.get("replay_of")


class DeliveryDetailOut(DeliveryOut):
    document: dict[str, Any]
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_document(obj: Delivery) -> dict[str, Any]:
        return json.loads(obj.body)

    @staticmethod
    def resolve_attempt_log(obj: Delivery) -> list:
        return list(obj.webhook_attempts.all())


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    organization: str | None = Field(None, description="Slug; null: every organisation.")
    is_active: bool
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    recent_deliveries: list[DeliveryOut] = []

    @staticmethod
    def resolve_organization(obj: WebhookSubscription) -> str | None:
        return obj.organization.slug if obj.organization else None

    @staticmethod
    def resolve_created_by(obj: WebhookSubscription) -> str | None:
        return obj.created_by.email if obj.created_by else None

    @staticmethod
    def resolve_recent_deliveries(obj: WebhookSubscription) -> list:
        return getattr(obj, "recent_deliveries", [])


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="The signing secret. Shown only now: keep it.")


class SecretOut(Schema):
    secret: str


class EventOut(Schema):
    name: str
    description: str


class WebhookIn(StrictSchema):
    name: Text = Field(..., min_length=1, max_length=100)
    url: Text = Field(..., max_length=500)
    events: list[Text] = Field(..., min_length=1)
    organization: Text | None = Field(None, description="Slug; null: every organisation.")
    is_active: bool = True


class WebhookPatch(StrictSchema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    url: Text | None = Field(None, max_length=500)
    events: list[Text] | None = Field(None, min_length=1)
    organization: Text | None = None
    is_active: bool | None = None


class DeliveryFilter(Schema):
    status: Text | None = Field(None, pattern="^(pending|sent|failed|cancelled)$")
    limit: int = Field(50, ge=1, le=200)


def _get(webhook_id: int) -> WebhookSubscription:
    return get_object_or_404(selectors.webhook_queryset(), pk=webhook_id)


@router.get("/events", response={200: list[EventOut], **error_responses(403)})
def event_list(request: HttpRequest) -> list[dict]:
    _admin(request)
    return [{"name": name, "description": str(text)} for name, text in EVENTS.items()]


@router.get("", response={200: list[WebhookOut], **error_responses(403)})
def webhook_list(request: HttpRequest) -> list[WebhookSubscription]:
    """Every subscription with its last five deliveries."""
    _admin(request)
    return list(selectors.webhook_queryset())


@router.post("", response={201: WebhookCreatedOut, **error_responses(403, 422)})
def webhook_add(request: HttpRequest, body: WebhookIn) -> Status:
    by = _admin(request)
    fields = body.dict()
    fields["organization"] = _organization(fields["organization"])
    created = webhook_create(by=by, **fields)
    subscription = _get(created.subscription.pk)
    subscription.secret = created.secret  # type: ignore[attr-defined]  (this answer only)
    return Status(201, subscription)


@router.get("/{webhook_id}", response={200: WebhookOut, **error_responses(403, 404)})
def webhook_detail(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    _admin(request)
    return _get(webhook_id)


@router.patch("/{webhook_id}", response={200: WebhookOut, **error_responses(403, 404, 422)})
def webhook_change(
    request: HttpRequest, webhook_id: int, body: WebhookPatch
) -> WebhookSubscription:
    by = _admin(request)
    changes = body.dict(exclude_unset=True)
    if "organization" in changes:
        changes["organization"] = _organization(changes["organization"])
    for name in ("name", "url", "events", "is_active"):
        if name in changes and changes[name] is None:
            raise ApiError(422, _("The webhook is not valid."), {name: _("must not be null")})
    webhook_update(subscription=_get(webhook_id), by=by, **changes)
    return _get(webhook_id)


@router.delete("/{webhook_id}", response={204: None, **error_responses(403, 404)})
def webhook_remove(request: HttpRequest, webhook_id: int) -> Status:
    by = _admin(request)
    webhook_delete(subscription=get_object_or_404(WebhookSubscription, pk=webhook_id), by=by)
    return Status(204, None)


@router.post("/{webhook_id}/rotate-secret", response={200: SecretOut, **error_responses(403, 404)})
def webhook_rotate(request: HttpRequest, webhook_id: int) -> dict:
    """A new signing secret, shown only now; the old one stops signing at once."""
    by = _admin(request)
    subscription = get_object_or_404(WebhookSubscription, pk=webhook_id)
    return {"secret": webhook_secret_rotate(subscription=subscription, by=by)}


@router.post("/{webhook_id}/test", response={202: DeliveryOut, **error_responses(403, 404, 409)})
def webhook_test(request: HttpRequest, webhook_id: int) -> Status:
    """Queue a ``webhook.test`` event to the subscription (whatever its events): signed,
    retried and logged like any delivery. 409 when the subscription is paused."""
    by = _admin(request)
    subscription = get_object_or_404(WebhookSubscription, pk=webhook_id)
    try:
        delivery = webhook_test_send(subscription=subscription, by=by)
    except WebhookPaused as exc:
        raise ApiError(409, exc.message) from None
    return Status(202, delivery)


@router.get(
    "/{webhook_id}/deliveries",
    response={200: list[DeliveryDetailOut], **error_responses(403, 404, 422)},
)
def webhook_delivery_list(
    request: HttpRequest, webhook_id: int, filters: Query[DeliveryFilter]
) -> list[Delivery]:
    """Newest first: the document sent and every attempt (code, latency, error, answer)."""
    _admin(request)
    subscription = get_object_or_404(WebhookSubscription, pk=webhook_id)
    return selectors.webhook_deliveries(subscription, status=filters.status, limit=filters.limit)


@router.post(
    "/deliveries/{delivery_id}/replay",
    response={201: DeliveryOut, **error_responses(403, 404)},
)
def webhook_delivery_replay(request: HttpRequest, delivery_id: int) -> Status:
    """Send the delivery's document again, as a new delivery with the same event id."""
    by = _admin(request)
    delivery = get_object_or_404(
        Delivery.objects.select_related("webhook"), pk=delivery_id, webhook__isnull=False
    )
    return Status(201, webhook_replay(delivery=delivery, by=by))
