"""Telegram updates per second through the ingest path, from a local Bot API stand-in.

    uv run python -m bench.telegram_updates [--updates 3000] [--chats 500] [--database-url URL]

Queues ``--updates`` text messages from ``--chats`` private chats in the stand-in (the
first message of each chat opens a ticket for a new contact, the rest thread into it),
then times the worker's poll loop draining them: getUpdates in batches of 100, each
update applied in its own transaction (update row, ingest, confirmation in the outbox),
the offset advanced after each commit. Then it times the outbox sending the
confirmations back through the stand-in. Target: ≥ 200 updates/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a file: make "bench" and "dutydesk" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_PER_SECOND = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--updates", type=int, default=3000, help="messages to ingest (3000)")
    parser.add_argument("--chats", type=int, default=500, help="distinct client chats (500)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    from dutydesk.channels.telegram.tests.standin import BotApiStandIn

    standin = BotApiStandIn().start()
    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-telegram-"))
    common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    os.environ.update(
        {
            "DUTYDESK_TELEGRAM_API_URL": standin.url,
            "DUTYDESK_TELEGRAM_LONG_POLL_SECONDS": "0",
            "DUTYDESK_TELEGRAM_POLL_SECONDS": "3600",
        }
    )
    common.django_setup()
    common.migrate()
    from dutydesk.channels.telegram.models import TelegramBot
    from dutydesk.channels.telegram.polling import telegram_poll
    from dutydesk.notify.models import Delivery
    from dutydesk.notify.sending import delivery_send
    from dutydesk.tickets.models import Message, Ticket

    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", "client.bench", team)
    bot = TelegramBot(pk=1, organization=org, username="bench_bot")
    bot.token = standin.token
    bot.save()

    # Warm up (imports, first queries) on a few updates that are not measured.
    for i in range(20):
        standin.add_message(user_id=10_000_000 + i, text=f"warm-up {i}")
    telegram_poll()
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()

    for n in range(args.updates):
        chat = 1_000_000 + n % args.chats
        standin.add_message(user_id=chat, text=f"Message {n // args.chats} from chat {chat}")
    timer, cpu_started = common.Timer(), time.process_time()
    handled = telegram_poll()
    poll_seconds, poll_cpu = timer.elapsed, time.process_time() - cpu_started

    # The confirmations to the chats (the email notices to the team are not this channel's).
    pending = Delivery.objects.filter(channel="telegram", status="pending")
    ids = list(pending.values_list("pk", flat=True))
    timer, cpu_started = common.Timer(), time.process_time()
    confirmations = sum(delivery_send(pk) == "sent" for pk in ids)
    send_seconds, send_cpu = timer.elapsed, time.process_time() - cpu_started

    # The same kind of messages straight into ingest(), for what the channel adds.
    from dutydesk.tickets.inbound import Inbound
    from dutydesk.tickets.services import ingest

    reference = min(args.updates, 1000)
    timer, cpu_started = common.Timer(), time.process_time()
    for n in range(reference):
        ingest(
            Inbound(
                channel="api",
                source_id=f"ref-{n}",
                sender_email=f"ref{n % args.chats}@client.bench",
                subject=f"Reference {n}",
                body_text=f"Message {n}",
                organization=org,
            )
        )
    ingest_seconds, ingest_cpu = timer.elapsed, time.process_time() - cpu_started

    tickets = Ticket.objects.count() - tickets_before - reference
    messages = Message.objects.count() - messages_before - reference
    rate = handled / poll_seconds
    load = os.getloadavg()[0]
    print(f"Telegram updates benchmark: {common.database_label()}, data dir {data_dir}")
    print(f"  load average {load:.1f} on {os.cpu_count()} cores while measuring")
    print()
    common.print_table(
        ["step", "items", "seconds", "per second", "ms each", "CPU ms each"],
        [
            (
                "poll + ingest",
                handled,
                f"{poll_seconds:.2f}",
                f"{rate:.0f}",
                common.ms(poll_seconds / max(handled, 1)),
                common.ms(poll_cpu / max(handled, 1)),
            ),
            (
                "ingest() alone (API items)",
                reference,
                f"{ingest_seconds:.2f}",
                f"{reference / ingest_seconds:.0f}",
                common.ms(ingest_seconds / reference),
                common.ms(ingest_cpu / reference),
            ),
            (
                "outbox → sendMessage",
                confirmations,
                f"{send_seconds:.2f}",
                f"{confirmations / max(send_seconds, 1e-9):.0f}",
                common.ms(send_seconds / max(confirmations, 1)),
                common.ms(send_cpu / max(confirmations, 1)),
            ),
        ],
    )
    print()
    print(
        f"  {tickets} tickets and {messages} messages from {handled} updates ({args.chats} chats)"
    )
    ok = handled == args.updates and messages == args.updates and tickets == args.chats
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    print(
        f"  {rate:.0f} updates/s (target ≥ {TARGET_PER_SECOND:.0f}: {verdict})"
        + ("" if ok else "  — COUNTS WRONG")
    )
    standin.stop()
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok and rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
