"""Writes of webhook subscriptions: create, change, rotate the secret, delete, replay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.core.crypto import secret_encrypt
from dutydesk.core.services import audit_record
from dutydesk.notify import tasks
from dutydesk.notify.models import Delivery, DeliveryChannel, WebhookSubscription
from dutydesk.notify.webhooks.events import EVENTS, TEST_EVENT, document_test, document_text
from dutydesk.notify.webhooks.signing import secret_new
from dutydesk.tickets.errors import ActionRefused

FIELDS = ("name", "url", "events", "organization", "is_active")


@dataclass(frozen=True)
class Created:
    subscription: WebhookSubscription
    secret: str  # shown once; only its encryption is stored


class WebhookPaused(ActionRefused):
    """The subscription is not active, so nothing would be sent to it."""


def require_admin(user: User) -> None:
    if not (user.is_active and (user.is_superuser or user.role == Role.ADMIN)):
        raise ActionRefused(_("Only admins manage webhooks."))


def url_validate(value: Any) -> str:
    url = str(value or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionRefused(
            _("The webhook is not valid."), {"url": _("An http:// or https:// URL is required.")}
        )
    if len(url) > 500:
        raise ActionRefused(_("The webhook is not valid."), {"url": _("At most 500 characters.")})
    return url


def events_validate(value: Any) -> list[str]:
    names = list(dict.fromkeys(value or []))
    unknown = [n for n in names if n not in EVENTS]
    if unknown:
        raise ActionRefused(
            _("The webhook is not valid."),
            {"events": _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}},
        )
    if not names:
        raise ActionRefused(
            _("The webhook is not valid."), {"events": _("Choose at least one event.")}
        )
    return names


def _apply(subscription: WebhookSubscription, fields: dict[str, Any]) -> dict[str, tuple]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ActionRefused(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    diff: dict[str, tuple] = {}
    for name, value in fields.items():
        if name == "name":
            value = str(value or "").strip()
            if not value or len(value) > 100:
                raise ActionRefused(
                    _("The webhook is not valid."), {"name": _("1 to 100 characters.")}
                )
        elif name == "url":
            value = url_validate(value)
        elif name == "events":
            value = events_validate(value)
        elif name == "organization" and value is not None and not isinstance(value, Organization):
            raise ActionRefused(
                _("The webhook is not valid."), {"organization": _("Unknown organisation.")}
            )
        old = getattr(subscription, name)
        if old != value:
            diff[name] = (old, value)
            setattr(subscription, name, value)
    return diff


@transaction.atomic
def webhook_create(*, by: User, name: str, url: str, events: list[str], **fields: Any) -> Created:
    require_admin(by)
    subscription = WebhookSubscription(created_by=by)
    _apply(subscription, {"name": name, "url": url, "events": events, **fields})
    secret = secret_new()
    subscription.secret_encrypted = secret_encrypt(secret)
    subscription.save()
    audit_record(
        actor=by,
        action="webhook.created",
        obj=subscription,
        changes={"url": (None, subscription.url), "events": (None, subscription.events)},
    )
    return Created(subscription, secret)


@transaction.atomic
def webhook_update(
    *, subscription: WebhookSubscription, by: User, **changes: Any
) -> WebhookSubscription:
    require_admin(by)
    diff = _apply(subscription, changes)
    if diff:
        subscription.save()
        audit_record(actor=by, action="webhook.changed", obj=subscription, changes=diff)
    return subscription


@transaction.atomic
def webhook_secret_rotate(*, subscription: WebhookSubscription, by: User) -> str:
    """A new signing secret from now on (retries of older deliveries are signed with it)."""
    require_admin(by)
    secret = secret_new()
    subscription.secret_encrypted = secret_encrypt(secret)
    subscription.save(update_fields=["secret_encrypted", "updated_at"])
    audit_record(actor=by, action="webhook.secret_rotated", obj=subscription)
    return secret


@transaction.atomic
def webhook_delete(*, subscription: WebhookSubscription, by: User) -> None:
    """Delete the subscription with its deliveries and their log."""
    require_admin(by)
    audit_record(
        actor=by,
        action="webhook.deleted",
        obj=subscription,
        changes={"url": (subscription.url, None)},
    )
    subscription.delete()


@transaction.atomic
def webhook_replay(*, delivery: Delivery, by: User) -> Delivery:
    """Send a delivery's document again as a new delivery: same event id, same body."""
    require_admin(by)
    subscription = delivery.webhook
    if subscription is None:
        raise ActionRefused(_("Only webhook deliveries can be replayed."))
    replay = Delivery.objects.create(
        channel=delivery.channel,
        kind=delivery.kind,
        recipient=subscription.url,
        body=delivery.body,
        payload={**delivery.payload, "replay_of": delivery.pk},
        webhook=subscription,
        ticket_id=delivery.ticket_id,
        next_attempt_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action="webhook.replayed",
        obj=subscription,
        changes={"delivery": (delivery.pk, replay.pk)},
    )
    transaction.on_commit(lambda: tasks.deliver(replay.pk))
    return replay


@transaction.atomic
def webhook_test_send(*, subscription: WebhookSubscription, by: User) -> Delivery:
    """Queue one ``webhook.test`` delivery through the outbox, whatever the subscription's
    events; refused for a paused subscription (its deliveries would only be cancelled)."""
    require_admin(by)
    if not subscription.is_active:
        raise WebhookPaused(_("The webhook is paused: activate it before sending a test event."))
    document = document_test(subscription, by)
    delivery = Delivery.objects.create(
        channel=DeliveryChannel.WEBHOOK,
        kind=TEST_EVENT,
        recipient=subscription.url,
        body=document_text(document),
        payload={"event_id": document["id"]},
        webhook=subscription,
        next_attempt_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action="webhook.tested",
        obj=subscription,
        changes={"delivery": (None, delivery.pk)},
    )
    transaction.on_commit(lambda: tasks.deliver(delivery.pk))
    return delivery
