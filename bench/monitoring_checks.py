"""Monitoring runner: HTTP checks per second, and schedule drift at a steady load.

    uv run python -m bench.monitoring_checks                               # SQLite
    uv run python -m bench.monitoring_checks --database-url $PG/dutydesk_bench_monitoring
    uv run python -m bench.monitoring_checks --database-url $PG/dutydesk_bench_monitoring \
        --checks 10000 --interval 60 --duration 180        # the issue's 10,000 at 60 s

Two phases against a local HTTP server (a child process answering every request with
200 and ``Connection: close``, so each probe opens its own TCP connection as real checks
to different hosts do):

1. Throughput: ``--burst`` (2000) checks all due at once; the runner (``Runner``, the
   one the worker task runs) works through them; checks/s = results recorded / wall time.
2. Drift: ``--checks`` (1000) checks every ``--interval`` (10) s, their first runs spread
   over one interval, run for ``--duration`` (60) s. Drift = the instant a probe starts
   minus the instant it was due; p50/p99/max, plus the runner's CPU and peak memory,
   and the database growth per day the rollups and raw results imply.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, server

TARGET_DRIFT_P99_MS = 1000.0
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
    b"Connection: close\r\n\r\nok"
)


def _target(port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(RESPONSE)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        srv = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
        async with srv:
            await srv.serve_forever()

    asyncio.run(main())


def make_checks(n: int, interval: int, port: int, spread: bool) -> None:
    import random

    from django.utils import timezone

    from dutydesk.monitoring.models import Check, CheckResult, Rollup, StateChange

    CheckResult.objects.all().delete()
    Rollup.objects.all().delete()
    StateChange.objects.all().delete()
    Check.objects.all().delete()
    from dutydesk.accounts.models import Organization

    org = Organization.objects.get(slug="client")
    now = timezone.now() + timedelta(seconds=1)
    checks = [
        Check(
            organization=org,
            name=f"site {i}",
            kind="http",
            config={
                "url": f"http://127.0.0.1:{port}/health/{i}",
                "method": "GET",
                "headers": {},
                "body": "",
                "expected_status": [],
                "keyword": "",
                "keyword_absent": False,
                "max_response_ms": None,
                "follow_redirects": True,
                "verify_tls": True,
            },
            interval_seconds=interval,
            timeout_seconds=5,
            state="up",
            next_run_at=now + timedelta(seconds=random.uniform(0, interval) if spread else 0),
        )
        for i in range(n)
    ]
    Check.objects.bulk_create(checks, batch_size=1000)
    if spread:
        # Creating thousands of rows takes seconds: shift the schedule so that the first
        # run is still ahead, else the backlog at start would count as drift.
        from django.db.models import F

        Check.objects.update(next_run_at=F("next_run_at") + (timezone.now() - now))


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def burst(args: argparse.Namespace, port: int) -> None:
    from dutydesk.monitoring.models import CheckResult
    from dutydesk.monitoring.runner import Runner

    make_checks(args.burst, 3600, port, spread=False)
    time.sleep(1.1)
    runner = Runner(concurrency=args.concurrency)
    cpu = _cpu_self()
    timer = common.Timer()
    while runner.stats.completed < args.burst and timer.elapsed < 300:
        runner.run_for(0.5)
    done = runner.stats.completed
    wall = timer.elapsed
    cpu = _cpu_self() - cpu
    ok = CheckResult.objects.filter(ok=True).count()
    print("\n  1. throughput: all checks due at once")
    common.print_table(
        ["checks", "concurrency", "wall s", "checks/s", "ok", "runner CPU ms/check"],
        [
            [
                done,
                args.concurrency,
                f"{wall:.2f}",
                f"{done / wall:.0f}",
                ok,
                f"{1000 * cpu / max(done, 1):.2f}",
            ]
        ],
    )


def steady(args: argparse.Namespace, port: int) -> None:
    from django.db import connection

    from dutydesk.monitoring.models import CheckResult, Rollup
    from dutydesk.monitoring.rollups import rollup_refresh
    from dutydesk.monitoring.runner import Runner

    make_checks(args.checks, args.interval, port, spread=True)
    time.sleep(1.1)
    runner = Runner(concurrency=args.concurrency, keep_drift=True)
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the runner's own database session
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    pg_start = server._cpu(backend) if backend else None
    cpu = _cpu_self()
    timer = common.Timer()
    stats = runner.run_for(args.duration)
    wall = timer.elapsed
    cpu = _cpu_self() - cpu
    pg_cpu = 0.0
    if backend and pg_start is not None:
        pg_cpu = (server._cpu(backend) or pg_start) - pg_start
    rollup_s = None
    if args.refresh:
        timer_rollup = common.Timer()
        rollup_refresh(lookback_minutes=int(args.duration // 60) + 2)
        rollup_s = timer_rollup.elapsed
    drifts = stats.drift_ms
    rate = args.checks / args.interval
    expected = rate * args.duration
    print(
        f"\n  2. steady load: {args.checks} checks every {args.interval} s"
        f" ({rate:.0f} checks/s) for {args.duration:.0f} s"
    )
    common.print_table(
        [
            "runs",
            "expected",
            "drift p50 ms",
            "p99 ms",
            "max ms",
            "runner CPU %",
            "CPU ms/check",
            "db CPU %",
            "peak RSS MB",
        ],
        [
            [
                stats.completed,
                f"{expected:.0f}",
                f"{common.percentile(drifts, 50):.0f}",
                f"{common.percentile(drifts, 99):.0f}",
                f"{max(drifts):.0f}",
                f"{100 * cpu / wall:.0f}",
                f"{1000 * cpu / max(stats.completed, 1):.2f}",
                f"{100 * pg_cpu / wall:.0f}" if pg_cpu else "-",
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
            ]
        ],
    )
    if late := getattr(stats, "claim_late_ms", None):
        print(
            f"  claimed after the due instant: {sum(1 for v in late if v > 0)} of {len(late)}"
            f" (p99 {common.percentile(late, 99):.0f} ms)"
        )
    p99 = common.percentile(drifts, 99)
    verdict = "met" if p99 < TARGET_DRIFT_P99_MS else "NOT met"
    print(f"  target p99 drift < {TARGET_DRIFT_P99_MS:.0f} ms: {verdict}")
    if failures := getattr(stats, "write_failures", 0):
        print(f"  batch writes that failed and were retried: {failures}")
    if rollup_s is not None:
        print(f"  one rollup refresh (a full recompute) after the run: {rollup_s:.2f} s")

    # Database growth: rows a day, and bytes where PostgreSQL can tell the row size.
    per_check_day = 86400 / args.interval
    raw_day = args.checks * per_check_day
    from django.conf import settings

    conf = settings.MONITORING
    rollup_rows = args.checks * (
        conf["minute_retention_hours"] * 60
        + conf["hour_retention_days"] * 24
        + conf["day_retention_days"]
    )
    rows = [
        ["raw results / day", f"{raw_day:,.0f}", ""],
        [
            f"raw kept ({conf['raw_retention_hours']} h)",
            f"{raw_day * conf['raw_retention_hours'] / 24:,.0f}",
            "",
        ],
        ["rollups / day (min+hour+day)", f"{args.checks * (1440 + 24 + 1):,}", ""],
        ["rollups kept at steady state", f"{rollup_rows:,}", ""],
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE monitoring_checkresult")
            cursor.execute("VACUUM ANALYZE monitoring_rollup")
            sizes = {}
            for table, model in (
                ("monitoring_checkresult", CheckResult),
                ("monitoring_rollup", Rollup),
            ):
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                count = model.objects.count()
                sizes[table] = cursor.fetchone()[0] / max(count, 1)
        raw_b, roll_b = sizes["monitoring_checkresult"], sizes["monitoring_rollup"]
        rows[0][2] = f"{raw_day * raw_b / 2**20:,.0f} MB ({raw_b:.0f} B/row incl. indexes)"
        rows[1][2] = f"{raw_day * raw_b * conf['raw_retention_hours'] / 24 / 2**20:,.0f} MB"
        rows[2][2] = f"{args.checks * 1465 * roll_b / 2**20:,.0f} MB ({roll_b:.0f} B/row)"
        rows[3][2] = f"{rollup_rows * roll_b / 2**20:,.0f} MB"
    print("\n  database growth (projected from this run's rows):")
    common.print_table(["what", "rows", "size"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--burst", type=int, default=2000, help="checks due at once (2000)")
    parser.add_argument("--checks", type=int, default=1000, help="steady checks (1000)")
    parser.add_argument("--interval", type=int, default=10, help="their interval, s (10)")
    parser.add_argument("--duration", type=float, default=60, help="steady run, s (60)")
    parser.add_argument("--concurrency", type=int, default=200, help="probes at once (200)")
    parser.add_argument(
        "--refresh", action="store_true", help="time a full rollup recompute after the run"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-monitoring-"))
    common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()
    common.make_org("client", "Bench Client", "client.bench", None)
    port = common.free_port()
    target = multiprocessing.get_context("spawn").Process(target=_target, args=(port,), daemon=True)
    target.start()
    time.sleep(1)
    print(f"monitoring runner benchmark: {common.database_label()}, target 127.0.0.1:{port}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} (other work skews the figures)")
    try:
        if args.burst:
            burst(args, port)
        if args.checks:
            steady(args, port)
    finally:
        target.terminate()
        target.join()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
