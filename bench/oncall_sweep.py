"""Alert-to-page latency: from the commit of a new P1 ticket to the Telegram ``sendMessage``
call at a local stand-in and to the SMTP server, at a sustained rate.

    uv run python -m bench.oncall_sweep [--rate 50] [--seconds 60] [--database-url URL]
                                        [--redis-url URL] [--workers 4]

Migrates a fresh database; seeds a team whose 24/7 schedule has five engineers, each with
a Telegram chat, and a policy whose first step pages the schedule's on-call. Starts a
Telegram Bot API stand-in (HTTP) and an SMTP server (aiosmtpd) on loopback, and a worker
child process (``run_huey``, thread workers) with a Telegram sender that calls the
stand-in as the channel's sender will. Then opens ``--rate`` P1 incidents a second for
``--seconds``: each is ``ingest`` + ``page_if_urgent`` in one transaction, timed at its
commit. The stand-ins time each arrival. Prints p50/p99/max per channel and the page
sweep's cost with all those pages open. Target: p99 < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_P99 = 2.0
TOKEN = "123:bench"
REF = re.compile(r"Page #(\d+)")


# --- stand-ins ------------------------------------------------------------------------------


class Arrivals:
    """Arrival instants by channel and ticket number, appended to a file as they come."""

    def __init__(self, path: Path) -> None:
        self.lock = threading.Lock()
        self.out = path.open("a", buffering=1)

    def record(self, channel: str, text: str) -> None:
        now = time.time()
        found = REF.search(text)
        if found:
            with self.lock:
                self.out.write(f"{channel} {found.group(1)} {now}\n")


def read_arrivals(path: Path) -> dict[str, dict[int, float]]:
    at: dict[str, dict[int, float]] = {"telegram": {}, "email": {}}
    if path.exists():
        for line in path.read_text().splitlines():
            channel, number, when = line.split()
            at[channel].setdefault(int(number), float(when))
    return at


def stand_ins_main(path: Path) -> int:
    """The stand-ins run in their own process, so the producer's threads cannot slow them."""
    arrivals = Arrivals(path)
    telegram = telegram_stand_in(arrivals)
    smtp = smtp_stand_in(arrivals)
    print(json.dumps({"telegram": telegram.server_port, "smtp": smtp.port}), flush=True)
    common.wait_for_stop_signal()
    telegram.shutdown()
    smtp.stop()
    return 0


def telegram_stand_in(arrivals: Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/sendMessage"):
                arrivals.record("telegram", json.loads(body or b"{}").get("text", ""))
            answer = json.dumps({"ok": True, "result": {"message_id": 1}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", common.free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def smtp_stand_in(arrivals: Arrivals):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            content = envelope.content.decode("utf-8", "replace")
            subject = next((ln for ln in content.splitlines() if ln.startswith("Subject:")), "")
            arrivals.record("email", subject)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=common.free_port())
    controller.start()
    return controller


# --- the worker child ------------------------------------------------------------------------


def worker_main(workers: int, max_delay: float | None) -> int:
    """Run Huey with a Telegram sender that calls the stand-in as the real one will."""
    common.django_setup()
    import httpx
    from django.core.management import call_command

    from dutydesk.notify.sending import register_sender

    base = os.environ["BENCH_TELEGRAM_URL"]
    client = httpx.Client(timeout=10)

    def send(delivery) -> None:
        buttons = delivery.payload.get("buttons") or []
        response = client.post(
            f"{base}/bot{TOKEN}/sendMessage",
            json={
                "chat_id": delivery.payload.get("chat_id", delivery.recipient),
                "text": delivery.body,
                "reply_markup": {"inline_keyboard": [buttons]},
            },
        )
        response.raise_for_status()

    register_sender("telegram", send)
    options = {"max_delay": max_delay} if max_delay else {}
    call_command("run_huey", workers=workers, worker_type="thread", verbosity=0, **options)
    return 0


# --- the run ---------------------------------------------------------------------------------


def seed() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from dutydesk.accounts.models import Role
    from dutydesk.oncall.models import (
        ContactMethod,
        EscalationPolicy,
        EscalationStep,
        LayerParticipant,
        RotationLayer,
        Schedule,
    )

    team = common.make_team("l1", "Service desk", "L1")
    common.make_org("client", "Bench Client", "client.bench", team)
    people = [common.make_staff(f"eng{i}@support.bench", Role.AGENT, [team]) for i in range(5)]
    for i, person in enumerate(people):
        ContactMethod.objects.create(user=person, kind="telegram", address=str(5000 + i))
    schedule = Schedule.objects.create(team=team, name="24/7")
    layer = RotationLayer.objects.create(
        schedule=schedule,
        level=0,
        shift_unit="hours",
        shift_count=12,
        handoff_at=timezone.now() - timedelta(days=3),
    )
    for i, person in enumerate(people):
        LayerParticipant.objects.create(layer=layer, user=person, position=i)
    policy = EscalationPolicy.objects.create(team=team, name="bench", repeat=0)
    EscalationStep.objects.create(policy=policy, target="schedule", schedule=schedule)


def open_incident(i: int):
    """One P1 incident, opened and paged in one transaction as alert intake does."""
    import uuid

    from django.db import transaction

    from dutydesk.oncall.paging import page_if_urgent
    from dutydesk.tickets.inbound import Inbound
    from dutydesk.tickets.services import ingest

    with transaction.atomic():
        ticket = ingest(
            Inbound(
                channel="monitoring",
                source_id=uuid.uuid4().hex,
                sender_email="alerts@client.bench",
                subject=f"Disk filling up on db-{i}",
                body_text="Alertmanager: disk 95% full",
                priority="P1",
                type="incident",
            )
        ).ticket
        page_if_urgent(ticket=ticket)
    return ticket


def produce(rate: float, seconds: float, threads: int) -> tuple[dict[int, float], float]:
    """Open P1 incidents on a fixed timetable; return commit instants by ticket number."""
    from django.db import connection

    total = int(rate * seconds)
    committed: dict[int, float] = {}
    lock = threading.Lock()
    counter = iter(range(total))
    start = time.time() + 0.5
    late = [0.0]

    def run() -> None:
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                due = start + i / rate
                pause = due - time.time()
                if pause > 0:
                    time.sleep(pause)
                else:
                    late[0] = max(late[0], -pause)
                ticket = open_incident(i)
                with lock:
                    committed[ticket.number] = time.time()
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return committed, late[0]


def sweep_cost() -> tuple[float, int]:
    """The page sweep with every page open and none due (the minute task's usual case)."""
    from dutydesk.oncall.models import Page
    from dutydesk.oncall.sweep import pages_sweep

    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        pages_sweep()
        best = min(best, time.perf_counter() - t0)
    return best, Page.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="pages per second (50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (60)")
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--redis-url", help="Redis URL for the task queue")
    parser.add_argument("--workers", type=int, default=4, help="Huey worker threads (4)")
    parser.add_argument("--producers", type=int, default=4, help="producer threads (4)")
    parser.add_argument(
        "--max-delay",
        type=float,
        help="the consumer's longest idle poll interval in seconds (Huey's default: 10)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stand-ins", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args.workers, args.max_delay)
    if args.stand_ins:
        return stand_ins_main(Path(args.stand_ins))

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-oncall-"))
    # Not in data_dir: preparing the database empties that directory.
    arrivals_file = Path(tempfile.mkdtemp(prefix="dutydesk-bench-arrivals-")) / "arrivals.txt"
    stand_ins = subprocess.Popen(
        [sys.executable, "-m", "bench.oncall_sweep", "--stand-ins", str(arrivals_file)],
        cwd=str(common.BENCH_DIR.parent),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    ports = json.loads(stand_ins.stdout.readline())
    common.recreate_database(args.database_url, data_dir)
    env = common.configure(data_dir, args.database_url, args.redis_url)
    os.environ.update(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(ports["smtp"]),
            "BENCH_TELEGRAM_URL": f"http://127.0.0.1:{ports['telegram']}",
        }
    )
    env = dict(os.environ)
    common.django_setup()
    common.migrate()
    seed()
    print(
        f"Alert-to-page latency: {common.database_label()}, "
        f"queue {'Redis' if args.redis_url else 'SQLite'}, data dir {data_dir}"
    )
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "bench.oncall_sweep", "--worker"),
            *("--workers", str(args.workers)),
            *(("--max-delay", str(args.max_delay)) if args.max_delay else ()),
        ],
        env=env,
        cwd=str(common.BENCH_DIR.parent),
        start_new_session=True,
    )
    try:
        # Unmeasured warm-up: the first pages wait for the consumer to boot.
        warm, _late = produce(2.0, 2.0, 1)
        deadline = time.time() + 120
        while time.time() < deadline:
            if all(
                len(read_arrivals(arrivals_file)[c]) >= len(warm) for c in ("telegram", "email")
            ):
                break
            time.sleep(0.2)
        timer, cpu0 = common.Timer(), time.process_time()
        committed, late = produce(args.rate, args.seconds, args.producers)
        produced_in, cpu = timer.elapsed, time.process_time() - cpu0
        deadline = time.time() + 30
        while time.time() < deadline:
            arrived = read_arrivals(arrivals_file)
            if all(len(arrived[c]) >= len(committed) for c in ("telegram", "email")):
                break
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        os.killpg(stand_ins.pid, signal.SIGTERM)
        stand_ins.wait(timeout=15)

    arrived = read_arrivals(arrivals_file)
    for channel in arrived.values():
        for number in warm:
            channel.pop(number, None)
    rows, worst = [], 0.0
    for channel in ("telegram", "email"):
        lat = [arrived[channel][n] - t for n, t in committed.items() if n in arrived[channel]]
        missing = len(committed) - len(lat)
        if lat:
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
        else:
            worst = float("inf")
            rows.append((channel, len(committed), 0, "—", "—", "—"))
    print(
        f"  {len(committed)} P1 pages in {produced_in:.1f} s "
        f"({len(committed) / produced_in:.1f}/s; producers at most {late * 1000:.0f} ms late)"
    )
    print(
        f"  producer CPU per page (ingest + page_open): "
        f"{cpu / max(len(committed), 1) * 1000:.1f} ms"
    )
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print()
    common.print_table(["channel", "pages", "arrived", "p50 ms", "p99 ms", "max ms"], rows)
    idle, pages = sweep_cost()
    print()
    print(f"  page sweep with {pages} pages open, none due: {common.ms(idle)} ms")
    verdict = "met" if worst < TARGET_P99 else "MISSED"
    print(f"  p99 target < {TARGET_P99:.0f} s: {verdict}")
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(arrivals_file.parent, ignore_errors=True)
    return 0 if worst < TARGET_P99 else 1


if __name__ == "__main__":
    sys.exit(main())
