"""Alert-to-page latency through the real worker: from the commit of a new P1 ticket to the
Telegram ``sendMessage`` call at the Bot API stand-in and to the SMTP server's receipt.

    uv run python -m bench.page_latency [--rate 50] [--seconds 60] [--producers 2]
                                        [--database-url URL] [--redis-url URL]
                                        [--worker-max-poll-ms MS]

Migrates a fresh database; seeds a team whose 24/7 schedule has five engineers, each with a
Telegram chat, a policy whose first step pages the schedule's on-call, and the
installation's Telegram bot (webhook mode, so the worker does not poll it). Starts, in a
child process, the Telegram Bot API stand-in the tests use
(``channels/telegram/tests/standin.py``) and an SMTP server (aiosmtpd), both stamping each
arrival; then ``dutydesk worker`` itself — the Huey consumer with the settings an
installation runs, the real Telegram sender (``DUTYDESK_TELEGRAM_API_URL`` points at the
stand-in) and Django's SMTP backend. ``--producers`` processes then open ``--rate`` P1
incidents a second for ``--seconds``, each ``ingest`` + ``page_if_urgent`` in one
transaction, stamped at commit. Prints p50/p99/max per channel, the rate reached and CPU
per page. Target: p99 < 2 s. ``--worker-max-poll-ms 10000`` reproduces Huey's default
idle poll back-off on the SQLite queue (before DUTYDESK_WORKER_MAX_POLL_MS existed).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.oncall_sweep import Arrivals, open_incident, read_arrivals, smtp_stand_in

TARGET_P99 = 2.0
CHANNELS = ("telegram", "email")


# --- the stand-ins child -------------------------------------------------------------------


def stand_ins_main(path: Path) -> int:
    """The Bot API stand-in of the tests and an SMTP server, stamping every page arrival."""
    from dutydesk.channels.telegram.tests.standin import BotApiStandIn

    arrivals = Arrivals(path)

    class Stamping(BotApiStandIn):
        def _m_sendMessage(self, params: dict) -> dict:
            arrivals.record("telegram", str(params.get("text", "")))
            return super()._m_sendMessage(params)

    telegram = Stamping().start()
    smtp = smtp_stand_in(arrivals)
    print(json.dumps({"telegram": telegram.url, "token": telegram.token, "smtp": smtp.port}))
    sys.stdout.flush()
    common.wait_for_stop_signal()
    telegram.stop()
    smtp.stop()
    return 0


# --- seeding and producing -----------------------------------------------------------------


def seed(token: str) -> None:
    from bench.oncall_sweep import seed as oncall_seed
    from dutydesk.channels.telegram.models import BotMode, TelegramBot

    oncall_seed()
    bot = TelegramBot(pk=1, username="bench_bot", mode=BotMode.WEBHOOK)
    bot.token = token
    bot.save()


def producer_main(rate: float, seconds: float, start: float, index: int, count: int, out) -> None:
    """Open this producer's share of the timetable (every count-th page); report commits."""
    common.django_setup()
    from django.db import connection

    committed: dict[int, float] = {}
    late = 0.0
    cpu0 = time.process_time()
    # On a machine too busy to keep the timetable, stop at twice the planned time (+10 s).
    give_up = start + 2 * seconds + 10
    for i in range(index, int(rate * seconds), count):
        if time.time() > give_up:
            break
        pause = start + i / rate - time.time()
        if pause > 0:
            time.sleep(pause)
        else:
            late = max(late, -pause)
        ticket = open_incident(i)
        committed[ticket.number] = time.time()
    connection.close()
    out.put((committed, late, time.process_time() - cpu0))


def produce(rate: float, seconds: float, producers: int) -> tuple[dict[int, float], float, float]:
    """Run the producers in their own processes (one Python thread cannot open 50 pages/s)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 3.0  # spawned processes need a moment to import Django
    procs = [
        ctx.Process(target=producer_main, args=(rate, seconds, start, n, producers, out))
        for n in range(producers)
    ]
    for p in procs:
        p.start()
    committed: dict[int, float] = {}
    late = cpu = 0.0
    for _ in procs:
        part, part_late, part_cpu = out.get()
        committed.update(part)
        late, cpu = max(late, part_late), cpu + part_cpu
    for p in procs:
        p.join()
    return committed, late, cpu


def wait_for(arrivals_file: Path, numbers: set[int], seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        arrived = read_arrivals(arrivals_file)
        if all(numbers <= set(arrived[c]) for c in CHANNELS):
            return
        time.sleep(0.2)


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its children that have exited (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


# --- the run ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="pages per second (50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (60)")
    parser.add_argument("--producers", type=int, default=2, help="producer processes (2)")
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--redis-url", help="Redis URL for the task queue")
    parser.add_argument(
        "--worker-max-poll-ms",
        type=int,
        help="DUTYDESK_WORKER_MAX_POLL_MS for the worker (longest idle poll of the SQLite queue)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the arrivals and worker log")
    parser.add_argument("--stand-ins", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stand_ins:
        return stand_ins_main(Path(args.stand_ins))

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-pagelat-"))
    arrivals_file = Path(tempfile.mkdtemp(prefix="dutydesk-bench-arrivals-")) / "arrivals.txt"
    root = str(common.BENCH_DIR.parent)
    stand_ins = subprocess.Popen(
        [sys.executable, "-m", "bench.page_latency", "--stand-ins", str(arrivals_file)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    worker = None
    try:
        ends = json.loads(stand_ins.stdout.readline())
        common.recreate_database(args.database_url, data_dir)
        common.configure(data_dir, args.database_url, args.redis_url)
        os.environ.update(
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(ends["smtp"]),
                "DUTYDESK_TELEGRAM_API_URL": ends["telegram"],
            }
        )
        if args.worker_max_poll_ms is not None:
            os.environ["DUTYDESK_WORKER_MAX_POLL_MS"] = str(args.worker_max_poll_ms)
        common.django_setup()
        common.migrate()
        seed(ends["token"])
        from django.conf import settings
        from django.db import connection

        connection.close()  # the producers are other processes; SQLite must not stay locked
        consumer = settings.HUEY.get("consumer", {})
        print(
            f"Alert-to-page latency through `dutydesk worker`: {common.database_label()}, "
            f"queue {'Redis' if args.redis_url else 'SQLite'}, "
            f"consumer {consumer.get('workers')} {consumer.get('worker_type')} workers, "
            + (
                "blocking pop"
                if args.redis_url
                else f"idle poll at most {consumer.get('max_delay', 10.0)} s"
            )
        )
        worker_log = (arrivals_file.parent / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "dutydesk", "worker"],
            env=dict(os.environ),
            cwd=root,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Unmeasured warm-up: the first pages wait for the consumer to boot.
        warm, _late, _cpu = produce(2.0, 2.0, 1)
        wait_for(arrivals_file, set(warm), 120)
        worker_cpu0 = process_cpu(worker.pid)
        timer = common.Timer()
        committed, late, producer_cpu = produce(args.rate, args.seconds, args.producers)
        produced_in = timer.elapsed
        wait_for(arrivals_file, set(committed), 60)
        worker_cpu = process_cpu(worker.pid) - worker_cpu0
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGINT)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        os.killpg(stand_ins.pid, signal.SIGTERM)
        stand_ins.wait(timeout=15)

    arrived = read_arrivals(arrivals_file)
    rows, worst = [], 0.0
    for channel in CHANNELS:
        lat = [arrived[channel][n] - t for n, t in committed.items() if n in arrived[channel]]
        missing = len(committed) - len(lat)
        if not lat:
            worst = float("inf")
            rows.append((channel, len(committed), 0, "—", "—", "—"))
            continue
        p99 = common.percentile(lat, 99)
        worst = max(worst, p99 if not missing else float("inf"))
        rows.append(
            (
                channel,
                len(committed),
                len(lat),
                common.ms(common.percentile(lat, 50)),
                common.ms(p99),
                common.ms(max(lat)),
            )
        )
    n = max(len(committed), 1)
    print(
        f"  {len(committed)} P1 pages in {produced_in:.1f} s, {len(committed) / produced_in:.1f}/s "
        f"(asked {args.rate:g}/s; producers at most {late:.1f} s behind the timetable)"
    )
    print(
        f"  CPU per page: producers (ingest + page_open) {producer_cpu / n * 1000:.1f} ms, "
        f"worker (2 deliveries) {worker_cpu / n * 1000:.1f} ms"
    )
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print()
    common.print_table(["channel", "pages", "arrived", "p50 ms", "p99 ms", "max ms"], rows)
    telegram = sorted(
        (
            (arrived["telegram"][n] - t, n, t)
            for n, t in committed.items()
            if n in arrived["telegram"]
        ),
        reverse=True,
    )[:3]
    first = min(committed.values(), default=0.0)
    print(
        "  slowest telegram pages: "
        + ", ".join(
            f"#{n} committed at +{t - first:.1f} s: {lat * 1000:.0f} ms" for lat, n, t in telegram
        )
    )
    print()
    verdict = "met" if worst < TARGET_P99 else "MISSED"
    print(f"  p99 target < {TARGET_P99:.0f} s: {verdict}")
    shutil.rmtree(data_dir, ignore_errors=True)
    if args.keep:
        print(f"  arrivals and worker log kept in {arrivals_file.parent}")
    else:
        shutil.rmtree(arrivals_file.parent, ignore_errors=True)
    return 0 if worst < TARGET_P99 else 1


if __name__ == "__main__":
    sys.exit(main())
