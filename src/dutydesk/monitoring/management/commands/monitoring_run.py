"""Run the check runner as its own process (for installations with many checks)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import connection

from dutydesk.monitoring.runner import Runner

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run monitoring checks continuously (or for --seconds)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seconds", type=float, default=0, help="0 runs forever")

    def handle(self, *args, seconds: float = 0, **options) -> None:
        while True:
            try:
                stats = Runner().run_for(seconds or 300)
                self.stdout.write(f"{stats.completed} checks run")
            except Exception:
                # A lost database connection must not end the runner: reconnect and go on.
                log.exception("monitoring runner failed; restarting in a second")
                connection.close()
                time.sleep(1)
            if seconds:
                return
