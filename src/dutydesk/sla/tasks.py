"""Huey tasks of the SLA app: thin wrappers around its services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dutydesk.sla.recompute import sla_recompute_open
from dutydesk.sla.sweep import sla_sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep_task() -> int:
    return sla_sweep()


@db_task()
def sla_recompute_task(policy_ids: list[int], organization_ids: list[int]) -> int:
    return sla_recompute_open(policy_ids=policy_ids, organization_ids=organization_ids)
