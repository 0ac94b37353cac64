"""Huey tasks of the shared kernel."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dutydesk.core.services import database_analyze


@db_periodic_task(crontab(hour="4", minute="17"))
def analyze_database() -> bool:
    return database_analyze()
