"""Creating integrations and rotating their secrets; the raw token is returned once."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from dutydesk.accounts.models import Organization, Team, User
from dutydesk.channels.alerts.models import Integration, OnResolve, hook_url, token_digest
from dutydesk.core.services import audit_record


def token_assign(integration: Integration) -> str:
    """Give the integration a new secret (not saved yet); returns the raw token."""
    token = secrets.token_urlsafe(24)  # 32 URL-safe characters, 192 bits
    integration.token_digest = token_digest(token)
    integration.token_hint = token[:6]
    return token


@transaction.atomic
def integration_create(
    *,
    organization: Organization,
    kind: str,
    name: str,
    by: User | None,
    team: Team | None = None,
    on_resolve: str = OnResolve.RESOLVE,
    severity_map: dict[str, str] | None = None,
) -> tuple[Integration, str]:
    """A new integration and the full URL to configure in the source (shown only now)."""
    integration = Integration(
        organization=organization, kind=kind, name=name, team=team, on_resolve=on_resolve
    )
    token = token_assign(integration)
    if severity_map is not None:
        integration.severity_map = severity_map
    integration.full_clean()
    integration.save()
    audit_record(
        actor=by, action="alert_integration.created", obj=integration, organization=organization
    )
    return integration, hook_url(integration, token)


@transaction.atomic
def integration_rotate(*, integration: Integration, by: User | None) -> str:
    """A new secret: the old URL stops working at once; returns the new URL."""
    token = token_assign(integration)
    integration.rotated_at = timezone.now()
    integration.save(update_fields=["token_digest", "token_hint", "rotated_at"])
    audit_record(
        actor=by,
        action="alert_integration.rotated",
        obj=integration,
        organization=integration.organization,
    )
    return hook_url(integration, token)
