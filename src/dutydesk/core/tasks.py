"""Huey tasks of the shared kernel."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dutydesk.core.services import database_analyze


@db_periodic_task(crontab(minute="17"))  # hourly: 0.1 s at 100k tickets
def analyze_database() -> bool:
    return database_analyze()
