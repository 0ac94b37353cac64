"""Writes of accounts: API tokens."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dutydesk.accounts.models import ApiToken, Role, User, hash_token
from dutydesk.core.services import audit_record

# last_used_at is written at most this often per token, to keep reads cheap.
LAST_USED_RESOLUTION_SECONDS = 60


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for the user; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "API token", prefix=raw[:10], token_hash=hash_token(raw)
    )
    audit_record(actor=by or user, action="api_token.created", obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_token.revoked", obj=token)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None; records when the token was used."""
    # One query for the user and the token's two fields, with no ORDER BY: this runs on
    # every API request, and compiling a three-table select_related cost more than the
    # database did.
    users = (
        User.objects.select_related("organization")
        .filter(
            is_active=True,
            api_tokens__token_hash=hash_token(raw),
            api_tokens__revoked_at__isnull=True,
        )
        .annotate(token_id=F("api_tokens__id"), token_last_used=F("api_tokens__last_used_at"))
    )[:1]
    user = next(iter(users), None)
    if user is None:
        return None
    now = timezone.now()
    last = user.token_last_used
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user


def system_agent(*, email: str, name: str) -> User:
    """A staff account that programs act as (monitoring, alert intake): it can change
    tickets through the usual services but never sign in. Made on first use."""
    user, _created = User.objects.get_or_create(
        email=email, defaults={"name": name, "role": Role.AGENT, "password": "!"}
    )
    return user
