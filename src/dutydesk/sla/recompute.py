"""Recompute the clocks of open tickets when the contract behind them changes: an
organisation's policy, a policy's targets, limits or calendar, or the calendar itself.

Each ticket is replayed from its timeline (``sla_replay``), so paused time is measured
again on the new calendar and nothing drifts; running it twice gives the same dues. The
work runs in a Huey task after the change commits, a batch of tickets per transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from dutydesk.sla.models import Policy
from dutydesk.sla.services import SLA_FIELDS, policy_for, sla_replay
from dutydesk.tickets.models import ACTIVE_STATUSES, Ticket

logger = logging.getLogger(__name__)
BATCH = 200


def sla_recompute_later(
    *, policy_ids: Iterable[int] = (), organization_ids: Iterable[int] = ()
) -> None:
    """Recompute the affected open tickets once the current transaction commits."""
    from dutydesk.sla.tasks import sla_recompute_task  # tasks import this module

    policies, organizations = sorted(set(policy_ids)), sorted(set(organization_ids))
    if policies or organizations:
        transaction.on_commit(lambda: sla_recompute_task(policies, organizations))


def policies_of_calendar(calendar_id: int) -> list[int]:
    return list(Policy.objects.filter(calendar_id=calendar_id).values_list("pk", flat=True))


def _scope(policy_ids: list[int], organization_ids: list[int]) -> Q:
    scope = Q(sla_policy_id__in=policy_ids) | Q(organization_id__in=organization_ids)
    if Policy.objects.filter(pk__in=policy_ids, is_default=True).exists():
        # Organisations without a contract of their own follow the default.
        scope |= Q(organization__sla_policy__isnull=True)
    return scope


def sla_recompute_open(
    *, policy_ids: Iterable[int] = (), organization_ids: Iterable[int] = (), batch: int = BATCH
) -> int:
    """Give every open ticket in scope its organisation's current policy and recompute its
    dues from the start, keeping the paused time; return how many tickets were looked at.

    Idempotent: a ticket whose dues come out the same is written the same.
    """
    policies, organizations = list(policy_ids), list(organization_ids)
    pks = list(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(_scope(policies, organizations))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), batch):
        with transaction.atomic():
            tickets = (
                Ticket.objects.select_for_update(of=("self",))
                .filter(pk__in=pks[start : start + batch], status__in=ACTIVE_STATUSES)
                .select_related("organization__sla_policy__calendar", "sla_policy__calendar")
                .order_by("pk")
            )
            for ticket in tickets:
                ticket.sla_policy = policy_for(ticket.organization)
                sla_replay(ticket)
                ticket.save(update_fields=SLA_FIELDS)
    logger.info("SLA recomputed for %d open tickets", len(pks))
    return len(pks)
