"""Huey tasks of the SLA app: thin wrappers around its services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dutydesk.sla.sweep import sla_sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep_task() -> int:
    return sla_sweep()
