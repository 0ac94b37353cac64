"""Run the check runner as its own process (for installations with many checks)."""

from django.core.management.base import BaseCommand

from dutydesk.monitoring.runner import Runner


class Command(BaseCommand):
    help = "Run monitoring checks continuously (or for --seconds)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seconds", type=float, default=0, help="0 runs forever")

    def handle(self, *args, seconds: float = 0, **options) -> None:
        while True:
            stats = Runner().run_for(seconds or 3600)
            self.stdout.write(f"{stats.completed} checks run")
            if seconds:
                return
