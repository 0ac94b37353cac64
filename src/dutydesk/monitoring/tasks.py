"""Huey tasks of monitoring: thin wrappers around the runner, the sweep and pruning.

Rollups need no task: results are added to their buckets in the transaction that
writes them (``writes.results_insert``).
"""

from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from dutydesk.monitoring.heartbeats import heartbeat_sweep
from dutydesk.monitoring.rollups import rollup_prune
from dutydesk.monitoring.runner import Runner

HANDOVER_SECONDS = 5.0


def runner_slot(now: datetime) -> tuple[str, float]:
    """The lock name and the run time of the runner task started at ``now``.

    It claims until a few seconds into the next minute, so the next task has started
    before it stops (claims are safe with two runners: each moves ``next_run_at`` under
    SKIP LOCKED); even and odd minutes take different locks, so the two overlap but a task
    that hangs blocks the one two minutes later instead of piling up runners.
    """
    into_minute = now.second + now.microsecond / 1e6
    return f"monitoring-runner-{now.minute % 2}", 60 - into_minute + HANDOVER_SECONDS


@db_periodic_task(crontab(minute="*"))
def monitoring_runner_task() -> int:
    # A big installation runs `dutydesk manage monitoring_run` as its own process instead.
    lock, seconds = runner_slot(timezone.now())
    try:
        with HUEY.lock_task(lock):
            return Runner().run_for(seconds).completed
    except TaskLockedException:
        return 0


@db_periodic_task(crontab(minute="*"))
def heartbeat_sweep_task() -> int:
    return heartbeat_sweep()


@db_periodic_task(crontab(minute="17"))
def rollup_prune_task() -> dict[str, int]:
    return rollup_prune()
