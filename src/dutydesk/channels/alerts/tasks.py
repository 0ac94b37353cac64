"""Huey tasks of alert intake."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dutydesk.channels.alerts.services.retention import intake_log_prune


@db_periodic_task(crontab(minute="41"))  # hourly
def prune_intake_log() -> int:
    return intake_log_prune()
