"""Heartbeat pings per second through the real WSGI app (gunicorn), like bench/ingest.py.

    uv run python -m bench.monitoring_pings                                 # SQLite
    uv run python -m bench.monitoring_pings --database-url $PG/dutydesk_bench_pings

A fresh database gets one client organisation and ``--heartbeats`` (1000) heartbeat
checks that are up; ``dutydesk serve`` (gunicorn) starts in a child process, and client
threads with keep-alive connections send ``GET /ping/<uuid>`` to random heartbeats
(every one a real update of its row). Prints pings/s, latency and CPU per ping.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, server

TARGET_PG = 1000.0  # pings/s on PostgreSQL


def setup(args: argparse.Namespace, data_dir: Path) -> tuple[dict, list[str]]:
    common.recreate_database(args.database_url, data_dir)
    env = common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()
    from django.db import connections
    from django.utils import timezone

    from dutydesk.monitoring.models import Check

    org = common.make_org("client", "Bench Client", "client.bench", None)
    now = timezone.now()
    checks = [
        Check(
            organization=org,
            name=f"job {i}",
            kind="heartbeat",
            config={"period_seconds": 3600, "cron": "", "time_zone": "UTC", "grace_seconds": 600},
            state="up",
            next_due_at=now + timezone.timedelta(hours=1),
        )
        for i in range(args.heartbeats)
    ]
    Check.objects.bulk_create(checks, batch_size=1000)
    keys = [str(k) for k in Check.objects.values_list("ping_key", flat=True)]
    connections.close_all()
    return env, keys


def fire(port: int, keys: list[str], total: int, concurrency: int) -> tuple[float, list, Counter]:
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    lock = threading.Lock()
    per_client = total // concurrency

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, counts = [], Counter()
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                conn.request("GET", f"/ping/{rng.choice(keys)}")
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            mine.append(time.perf_counter() - start)
            counts[status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            codes.update(counts)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    timer = common.Timer()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timer.elapsed, latencies, codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--heartbeats", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=10000, help="pings to send (10000)")
    parser.add_argument("--concurrency", type=int, default=16)
    # A ping is one short statement: the threads mostly wait on PostgreSQL, so on 2 cores
    # 2 workers x 8 threads served 1.2-1.8x the pings of `dutydesk serve`'s 3 x 2.
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument(
        "--fast-path",
        action="store_true",
        help="serve dutydesk.monitoring.wsgi:application (pings skip the middleware)",
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-pings-"))
    env, keys = setup(args, data_dir)
    port = common.free_port()
    print(f"ping benchmark: {common.database_label()}, port {port}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} (other work skews the figures)")
    app = "dutydesk.monitoring.wsgi:application" if args.fast_path else ""
    argv = server.serve_argv(port, args.workers, args.threads, app)
    proc = server.start(argv, env, port, data_dir / "server.log")
    try:
        fire(port, keys, 500, args.concurrency)  # warm-up
        meter = server.CpuMeter(proc)
        wall, latencies, codes = fire(port, keys, args.requests, args.concurrency)
        cpu = meter.spent()
    finally:
        server.stop(proc)
    ok = codes.get(200, 0)
    rate = ok / wall
    pcts = [common.ms(common.percentile(latencies, q)) for q in (50, 95, 99)]
    print()
    common.print_table(
        [
            "database",
            "workers×threads",
            "clients",
            "pings",
            "wall s",
            "pings/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
        ],
        [
            [
                common.database_label(),
                f"{args.workers}×{args.threads}",
                args.concurrency,
                ok,
                f"{wall:.2f}",
                f"{rate:.0f}",
                *pcts,
            ]
        ],
    )
    print(f"\n  status codes: {dict(codes)}")
    server_cpu = sum(v for k, v in cpu.items() if k != "client")
    print(
        "  CPU per ping: "
        + ", ".join(f"{k} {1000 * v / max(ok, 1):.2f} ms" for k, v in cpu.items())
        + f"; 2 cores would serve at most {2 / (server_cpu / max(ok, 1)):.0f} pings/s"
    )
    if common.is_postgres(args.database_url):
        print(f"  target ≥ {TARGET_PG:.0f} pings/s: {'met' if rate >= TARGET_PG else 'NOT met'}")
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok == (args.requests // args.concurrency) * args.concurrency else 1


if __name__ == "__main__":
    sys.exit(main())
