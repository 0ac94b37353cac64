"""Ingest throughput: tickets per second through POST /api/v1/tickets on the real server.

    uv run python -m bench.ingest                                   # SQLite
    uv run python -m bench.ingest --database-url postgres://postgres@127.0.0.1:5432/dutydesk_bench

A fresh database (SQLite in a temporary data dir, or the PostgreSQL database named in
--database-url, dropped and created again) is migrated and given one client
organisation, its team (with a queue email), an agent with an API token and 200
contacts. Then ``dutydesk serve`` (gunicorn, the production server) starts in a child
process, and client threads, each with its own keep-alive connection, post distinct
tickets: half from new requesters in the client's email domain (a contact is created),
half from existing contacts. No worker runs: the two outbox rows each ticket writes
stay pending, which is part of what ingest costs. Besides tickets/s and latency, the
run prints the CPU each part spent per ticket (and so the ceiling of this machine) and,
on PostgreSQL, what the server's database sessions were waiting on.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if not __package__:  # run as a file: make "bench" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, server

TARGET_PG = 300.0  # tickets/s on PostgreSQL, 2 cores
DOMAIN = "client.bench"
PRIORITIES = ("P1", "P2", "P3", "P3", "P3", "P4")


@dataclass
class Run:
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    codes: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def setup_database(args: argparse.Namespace, data_dir: Path) -> tuple[dict, str, list[str]]:
    """Migrate a fresh database and create the fixtures; return (env, token, contacts)."""
    common.recreate_database(args.database_url, data_dir)
    env = common.configure(data_dir, args.database_url, args.redis_url)
    common.django_setup()
    common.migrate()
    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", DOMAIN, team)
    agent = common.make_staff("agent@support.bench", "agent", [team])
    contacts = [f"contact{i}@{DOMAIN}" for i in range(200)]
    common.make_contacts(org, contacts)
    token = common.make_token(agent)
    from django.db import connections

    connections.close_all()  # the server opens its own
    return env, token, contacts


def bodies(n: int, offset: int, contacts: list[str]) -> list[bytes]:
    """Distinct tickets; even ones from a new requester, odd ones from an existing contact."""
    out = []
    for i in range(offset, offset + n):
        email = f"new{i}@{DOMAIN}" if i % 2 == 0 else contacts[i % len(contacts)]
        ticket = {
            "organization": "client",
            "subject": f"Printer on floor {i % 9} is offline ({i})",
            "body": f"Hello,\n\nthe printer stopped answering at 09:{i % 60:02d}. Ticket {i}.\n",
            "priority": PRIORITIES[i % len(PRIORITIES)],
            "requester": {"email": email, "name": f"Requester {i}"},
        }
        out.append(json.dumps(ticket).encode())
    return out


def fire(port: int, token: str, payloads: list[bytes], concurrency: int) -> Run:
    """POST every ticket over `concurrency` keep-alive connections."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    run = Run()

    def answer(status: int, text: bytes, elapsed: float) -> None:
        run.latencies.append(elapsed)
        run.codes[status] += 1
        if status != 201 and len(run.errors) < 5:
            run.errors.append(f"{status}: {text[:300]!r}")

    run.wall = common.post_all(
        port, "/api/v1/tickets", payloads, concurrency=concurrency, headers=headers, answer=answer
    )
    return run


def report(args: argparse.Namespace, run: Run, cpu: dict[str, float]) -> None:
    ok = run.codes.get(201, 0)
    rate = ok / run.wall
    pcts = [common.ms(common.percentile(run.latencies, q)) for q in (50, 95, 99)]
    headers = ["database", "workers×threads", "clients", "tickets", "wall s", "tickets/s"]
    headers += ["p50 ms", "p95 ms", "p99 ms", "max ms"]
    row = [common.database_label(), f"{args.workers}×{args.threads}", args.concurrency, ok]
    row += [f"{run.wall:.2f}", f"{rate:.0f}", *pcts, common.ms(max(run.latencies))]
    print()
    common.print_table(headers, [row])
    print(f"\n  status codes: {dict(run.codes)}")
    if common.is_postgres(args.database_url):
        print(f"  target ≥ {TARGET_PG:.0f} tickets/s: {'met' if rate >= TARGET_PG else 'NOT met'}")

    total = sum(cpu.values())
    cores = os.cpu_count() or 1
    rows = [[part, f"{sec:.1f}", f"{1000 * sec / max(ok, 1):.1f}"] for part, sec in cpu.items()]
    rows.append(["total", f"{total:.1f}", f"{1000 * total / max(ok, 1):.1f}"])
    print("\n  CPU spent during the run (user + system):")
    common.print_table(["part", "CPU s", "CPU ms/ticket"], rows)
    server_cpu = (total - cpu["client"]) / max(ok, 1)
    print(
        f"  at this cost {cores} cores serve at most {cores / server_cpu:.0f} tickets/s "
        f"(web + database, no client); load average now {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--redis-url", help="task queue in Redis (flushed after)")
    parser.add_argument("--requests", type=int, default=3000, help="tickets to post (3000)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections (16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (2)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured tickets first")
    parser.add_argument("--app", help="serve this WSGI app with gunicorn instead (what-ifs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-ingest-"))
    env, token, contacts = setup_database(args, data_dir)
    port = common.free_port()
    print(f"ingest benchmark: {common.database_label()}, data dir {data_dir}, port {port}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} (other work skews the figures)")
    argv = server.serve_argv(port, args.workers, args.threads, args.app or "")
    proc = server.start(argv, env, port, data_dir / "server.log")
    sampler = server.WaitSampler() if common.is_postgres(args.database_url) else None
    try:
        fire(port, token, bodies(args.warmup, 10**6, contacts), args.concurrency)
        meter = server.CpuMeter(proc)
        if sampler:
            sampler.start()
        run = fire(port, token, bodies(args.requests, 0, contacts), args.concurrency)
        if sampler:
            sampler.done.set()
            sampler.join()
        cpu = meter.spent()
    finally:
        server.stop(proc)

    if args.redis_url:  # the deliver tasks the run queued; no worker will take them
        from huey.contrib.djhuey import HUEY

        HUEY.flush()
    report(args, run, cpu)
    if sampler:
        sampler.report()
    for error in run.errors:
        print(f"  error: {error}")
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if run.codes.get(201, 0) == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
