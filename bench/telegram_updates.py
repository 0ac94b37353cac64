"""Telegram updates per second through the ingest path, from a local Bot API stand-in.

    uv run python -m bench.telegram_updates [--updates 3000] [--chats 500] [--database-url URL]
    uv run python -m bench.telegram_updates --mode webhook --database-url URL [--workers 2]

``--mode polling`` (the default) queues ``--updates`` text messages from ``--chats``
private chats in the stand-in (the first message of each chat opens a ticket for a new
contact, the rest thread into it), then times the worker's poll loop draining them:
getUpdates in batches of 100, applied in groups of up to 50 updates per transaction
(each update in its own savepoint: update row, ingest, confirmation in the outbox), the
offset advanced after the commits. One poller applies updates one after another, so
this measures one process. Then it times the outbox sending the confirmations back
through the stand-in.

``--mode webhook`` runs ``dutydesk serve`` (gunicorn) with the bot in webhook mode and
POSTs the same updates to its webhook URL over ``--concurrency`` connections, as
Telegram does (it keeps up to 40 open); the chats take turns, so no two updates of one
chat are in flight together. Every web process applies updates, so this is the mode that
uses every core; on PostgreSQL it reports the web and database CPU per update too.

Target: ≥ 200 updates/s.
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

from bench import common, server

TARGET_PER_SECOND = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--updates", type=int, default=3000, help="messages to ingest (3000)")
    parser.add_argument("--chats", type=int, default=500, help="distinct client chats (500)")
    parser.add_argument("--workers", type=int, default=2, help="webhook: gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="webhook: threads each (4)")
    parser.add_argument("--concurrency", type=int, default=16, help="webhook: connections (16)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    from dutydesk.channels.telegram.tests.standin import BotApiStandIn

    standin = BotApiStandIn().start()
    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-telegram-"))
    common.recreate_database(args.database_url, data_dir)
    env = common.configure(data_dir, args.database_url)
    settings = {
        "DUTYDESK_TELEGRAM_API_URL": standin.url,
        "DUTYDESK_TELEGRAM_LONG_POLL_SECONDS": "0",
        "DUTYDESK_TELEGRAM_POLL_SECONDS": "3600",
    }
    os.environ.update(settings)
    env.update(settings)
    common.django_setup()
    common.migrate()
    try:
        if args.mode == "webhook":
            return webhook(args, standin, env, data_dir)
        return polling(args, standin, data_dir)
    finally:
        standin.stop()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def make_bot(standin, **fields):
    """The bot of a client organisation whose chats open tickets for new contacts."""
    from dutydesk.channels.telegram.models import TelegramBot

    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", "client.bench", team)
    bot = TelegramBot(pk=1, organization=org, username="bench_bot", **fields)
    bot.token = standin.token
    return bot


def queue_messages(standin, args, first_chat: int) -> list[dict]:
    """``args.updates`` messages, the chats taking turns."""
    return [
        standin.add_message(
            user_id=first_chat + n % args.chats,
            text=f"Message {n // args.chats} from chat {first_chat + n % args.chats}",
        )
        for n in range(args.updates)
    ]


def counts_ok(args, handled: int, tickets: int, messages: int) -> bool:
    print(
        f"  {tickets} tickets and {messages} messages from {handled} updates ({args.chats} chats)"
    )
    return handled == args.updates and messages == args.updates and tickets == args.chats


def polling(args, standin, data_dir: Path) -> int:
    from dutydesk.channels.telegram.polling import telegram_poll
    from dutydesk.notify.models import Delivery
    from dutydesk.notify.sending import delivery_send
    from dutydesk.tickets.models import Message, Ticket

    bot = make_bot(standin)
    bot.save()
    org = bot.organization

    # Warm up (imports, first queries) on a few updates that are not measured.
    for i in range(20):
        standin.add_message(user_id=10_000_000 + i, text=f"warm-up {i}")
    telegram_poll()
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()

    queue_messages(standin, args, 1_000_000)
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
    ok = counts_ok(args, handled, tickets, messages)
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    print(
        f"  {rate:.0f} updates/s by one poller (target ≥ {TARGET_PER_SECOND:.0f}: {verdict})"
        + ("" if ok else "  — COUNTS WRONG")
    )
    return 0 if ok and rate >= TARGET_PER_SECOND else 1


def webhook(args, standin, env: dict, data_dir: Path) -> int:
    import json
    import secrets

    from django.db import connections

    from dutydesk.channels.telegram.models import BotMode
    from dutydesk.tickets.models import Message, Ticket

    secret = secrets.token_urlsafe(24)
    bot = make_bot(standin, mode=BotMode.WEBHOOK)
    bot.webhook_secret = secret
    bot.save()
    path = f"/hooks/telegram/{bot.webhook_path}"
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    connections.close_all()  # the server opens its own

    port = common.free_port()
    argv = server.serve_argv(port, args.workers, args.threads)
    print(f"Telegram webhook benchmark: {common.database_label()}, data dir {data_dir}")
    print(f"  gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} conns")
    proc = server.start(argv, env, port, data_dir / "server.log")
    latencies: list[float] = []
    codes: dict[int, int] = {}
    errors: list[str] = []

    def answer(status: int, text: bytes, elapsed: float) -> None:
        latencies.append(elapsed)
        codes[status] = codes.get(status, 0) + 1
        if status != 200 and len(errors) < 5:
            errors.append(f"{status}: {text[:300]!r}")

    try:
        warm = [json.dumps(u).encode() for u in queue_messages(standin, args, 10_000_000)[:40]]
        common.post_all(port, path, warm, concurrency=4, headers=headers, answer=answer)
        tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
        connections.close_all()
        latencies.clear()
        codes.clear()
        payloads = [json.dumps(u).encode() for u in queue_messages(standin, args, 1_000_000)]
        meter = server.CpuMeter(proc)
        wall = common.post_all(
            port, path, payloads, concurrency=args.concurrency, headers=headers, answer=answer
        )
        cpu = meter.spent()
    finally:
        server.stop(proc)
    for error in errors:
        print(f"  error: {error}")
    handled = codes.get(200, 0)
    tickets = Ticket.objects.count() - tickets_before
    messages = Message.objects.count() - messages_before
    rate = handled / wall
    per = {k: common.ms(v / max(handled, 1)) for k, v in cpu.items() if k != "client"}
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores after the run")
    print()
    common.print_table(
        ["updates", "seconds", "per second", "p50 ms", "p95 ms", "p99 ms", "server CPU ms each"],
        [
            (
                handled,
                f"{wall:.2f}",
                f"{rate:.0f}",
                *(common.ms(common.percentile(latencies, q)) for q in (50, 95, 99)),
                ", ".join(f"{k} {v}" for k, v in per.items()),
            )
        ],
    )
    print()
    ok = counts_ok(args, handled, tickets, messages)
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    print(
        f"  {rate:.0f} updates/s through the webhook (target ≥ {TARGET_PER_SECOND:.0f}: {verdict})"
        + ("" if ok else "  — COUNTS WRONG")
    )
    return 0 if ok and rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
