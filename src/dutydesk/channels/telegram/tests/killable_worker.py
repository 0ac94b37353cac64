"""A worker process for the kill tests: ``python -m ...killable_worker <mode> <data dir>``.

Modes: ``setup`` (migrate, create the bot), ``hang-in-transaction`` (everything of the first
update written, then it waits inside the transaction), ``hang-after-commit`` (the update
committed, then it waits before moving the offset), ``poll`` (a normal poll). The test
kills the hanging process with SIGKILL, as a crash or an OOM kill would.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _hang(marker: Path) -> None:
    marker.touch()
    time.sleep(300)


def main(mode: str, data_dir: Path) -> None:
    import django

    django.setup()
    from dutydesk.channels.telegram import polling, updates
    from dutydesk.channels.telegram.models import TelegramBot

    if mode == "setup":
        from django.core.management import call_command

        from dutydesk.accounts.models import Organization

        call_command("migrate", interactive=False, verbosity=0)
        org = Organization.objects.create(slug="acme", name="Acme")
        bot = TelegramBot(pk=1, organization=org)
        bot.token = os.environ["STANDIN_TOKEN"]
        bot.save()
        return
    if mode == "hang-in-transaction":
        real_ingest = updates.ingest

        def ingest_then_hang(inbound):
            result = real_ingest(inbound)
            _hang(data_dir / "inside-transaction")
            return result

        updates.ingest = ingest_then_hang
    elif mode == "hang-after-commit":
        polling.offset_advance = lambda *args, **kwargs: _hang(data_dir / "committed")
    polling.telegram_poll()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
