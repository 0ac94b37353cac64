"""Huey tasks of monitoring: thin wrappers around the runner, the sweep and the rollups."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from dutydesk.monitoring.heartbeats import heartbeat_sweep
from dutydesk.monitoring.rollups import rollup_prune, rollup_refresh
from dutydesk.monitoring.runner import Runner


@db_periodic_task(crontab(minute="*"))
@HUEY.lock_task("monitoring-runner")
def monitoring_runner_task() -> int:
    # Runs for most of the minute, then hands over to the next minute's task; a big
    # installation runs `dutydesk monitoring_run` as its own process instead.
    return Runner().run_for(55).completed


@db_periodic_task(crontab(minute="*"))
def heartbeat_sweep_task() -> int:
    return heartbeat_sweep()


@db_periodic_task(crontab(minute="*"))
def rollup_refresh_task() -> int:
    return rollup_refresh()


@db_periodic_task(crontab(minute="17"))
def rollup_prune_task() -> dict[str, int]:
    return rollup_prune()
