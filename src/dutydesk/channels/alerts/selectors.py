"""Reads of alert intake."""

from __future__ import annotations

import hmac

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from dutydesk.accounts.models import User
from dutydesk.channels.alerts.models import IntakeLog, IntakeStatus, Integration, token_digest


def integration_for_token(token: str, *, kind: str | None = None) -> Integration | None:
    """The active integration whose secret is ``token`` (and of ``kind``), or None.

    The lookup is by the token's SHA-256, so neither the database index nor the final
    comparison (constant time) tells an attacker how much of a guess was right.
    """
    if not token or len(token) > 200:
        return None
    digest = token_digest(token)
    integration = _by_digest(digest)
    if integration is None:
        return None
    if not hmac.compare_digest(integration.token_digest, digest):
        return None
    if not integration.is_active or (kind is not None and integration.kind != kind):
        return None
    return integration


def _by_digest(digest: str) -> Integration | None:
    """Every intake request reads its integration: in SQL written out, because building
    the ORM query cost more CPU than the database spent running it. The organisation is
    read when needed (a repeat never needs it)."""
    table = connection.ops.quote_name(Integration._meta.db_table)
    sql = f"SELECT * FROM {table} WHERE token_digest = %s"  # noqa: S608
    return next(iter(Integration.objects.raw(sql, [digest])), None)


def integration_list(*, user: User) -> QuerySet[Integration]:
    """Integrations are configuration: supervisors, managers and admins see them all."""
    integrations = Integration.objects.select_related("organization", "team").order_by("pk")
    if not (user.is_active and user.sees_all_queues):
        return integrations.none()
    return integrations


def integration_get(*, user: User, pk: int) -> Integration:
    return get_object_or_404(integration_list(user=user), pk=pk)


def intake_log(*, integration: Integration, status: str = "") -> QuerySet[IntakeLog]:
    """The intake log of an integration the caller may see, newest first, optionally of
    one outcome (accepted, rejected...); without the bodies, which are read one at a time."""
    log = IntakeLog.objects.filter(integration=integration).select_related("ticket")
    if status in IntakeStatus.values:
        log = log.filter(status=status)
    return log.defer("body")
