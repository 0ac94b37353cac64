"""Huey tasks of on-call: thin wrappers around the sweeps. The fast path only shortens
the wait for a step; losing it loses nothing, the minute sweep runs the same step."""

from __future__ import annotations

from datetime import datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dutydesk.oncall.shifts import shift_reports_sweep
from dutydesk.oncall.sweep import page_step_if_due, pages_sweep


@db_task()
def page_step(page_id: int) -> bool:
    return page_step_if_due(page_id)


def page_step_later(page_id: int, at: datetime) -> None:
    page_step.schedule(args=(page_id,), eta=at)


@db_periodic_task(crontab(minute="*"))
def pages_sweep_task() -> int:
    return pages_sweep()


@db_periodic_task(crontab(minute="*"))
def shift_reports_task() -> int:
    return shift_reports_sweep()
