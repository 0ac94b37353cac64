"""Queue at scale: latency of the ticket list API and the agent queue query on many tickets.

    uv run python -m bench.queue                                    # SQLite, 100k tickets
    uv run python -m bench.queue --tickets 1000000 --reuse --explain \\
        --database-url postgres://postgres@127.0.0.1:5432/dutydesk_bench_queue

Seeds a realistic data set (see bench/seed.py; --reuse keeps one seeded before), then
times each scenario in-process: the API through django.test.Client (the whole Django
stack: middleware, token auth, ninja, serialisation; no network, no server) and the
selector query alone. p50/p95 over --runs runs after --warmup runs. Prints the SQL
queries per list request for limit=10 and limit=100 (they must not grow with the page
size) and, with --explain, the plan of the slowest scenario's slowest query.

SQLite has no statistics unless someone runs ANALYZE, and DutyDesk does not; so the
default run drops them (the product as shipped) and --analyze measures with them.
PostgreSQL is measured after VACUUM ANALYZE, where autovacuum brings a live database.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if not __package__:  # run as a file: bench/ must not shadow the standard library's "queue"
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))

from bench import common

if TYPE_CHECKING:
    from dutydesk.accounts.models import User

TARGET_P95 = 0.150  # seconds
Call = Callable[[], object]


def prepare(args: argparse.Namespace) -> None:
    """Configure Django on a seeded database: reuse it with --reuse, else seed it afresh."""
    pg = common.is_postgres(args.database_url)
    name = "queue-pg" if pg else f"queue-sqlite-{args.tickets}"
    data_dir = Path(args.data_dir or common.OUT_DIR / name).resolve()
    exists = common.pg_database_exists(args.database_url) if pg else data_dir.exists()
    if not (args.reuse and exists):
        common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()
    from django.db import connection

    from bench import seed

    seeded = seed.seeded_count()
    if seeded is not None and seeded != args.tickets:
        sys.exit(f"the database holds {seeded} tickets, not {args.tickets}; drop --reuse")
    if seeded is None:
        print(f"seeding {args.tickets} tickets into {common.database_label()} ...")
        timer = common.Timer()
        seed.seed(args.tickets)
        print(f"  seed done in {timer.elapsed:.1f} s")
    else:
        print(f"reusing the seeded database ({seeded} tickets)")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if args.analyze else "DROP TABLE IF EXISTS sqlite_stat1")
        connection.close()  # the next connection plans with (or without) the statistics


def timed(fn: Call, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


class Actors:
    """The people whose lists are timed, with API tokens, and a client to call the API."""

    def __init__(self) -> None:
        from django.test import Client

        from dutydesk.accounts.models import User

        self.supervisor = User.objects.get(email="supervisor@support.bench")
        self.agent = User.objects.get(email="agent00@support.bench")  # only in L1, the largest
        self.customer = User.objects.filter(organization__slug="org-00").earliest("id")
        self.tokens = {u.pk: common.make_token(u) for u in self.people.values()}
        self.client = Client()

    @property
    def people(self) -> dict[str, User]:
        return {"supervisor": self.supervisor, "agent": self.agent, "customer": self.customer}

    def api(self, user: User, **params: object) -> Callable[[], dict]:
        auth = f"Bearer {self.tokens[user.pk]}"

        def call() -> dict:
            response = self.client.get("/api/v1/tickets", params, HTTP_AUTHORIZATION=auth)
            assert response.status_code == 200, (response.status_code, response.content[:300])
            return response.json()

        return call


def scenarios(who: Actors, tickets: int) -> dict[str, Call]:
    from dutydesk.api.pagination import encode_cursor
    from dutydesk.tickets.models import ACTIVE_STATUSES, Ticket
    from dutydesk.tickets.selectors import ticket_list

    page2 = who.api(who.supervisor, limit=50)()["next_cursor"]
    assert page2, "page 1 of 50 gave no next_cursor"
    # Where a client walking the whole list is half-way: a ticket updated a year ago.
    middle = Ticket.objects.order_by("-updated_at", "-id").values("updated_at", "id")
    deep = encode_cursor(list(middle[tickets // 2].values()))

    def queue(user: User, **filters: object) -> Call:
        qs = ticket_list(user=user).filter(**filters).order_by("-updated_at", "-id")
        return lambda: list(qs[:50])

    active = list(ACTIVE_STATUSES)
    return {
        "API supervisor limit=50": who.api(who.supervisor, limit=50),
        "API supervisor status=open": who.api(who.supervisor, limit=50, status="open"),
        "API supervisor page 2 (cursor)": who.api(who.supervisor, limit=50, cursor=page2),
        "API supervisor deep page (cursor)": who.api(who.supervisor, limit=50, cursor=deep),
        "API agent (1 team) limit=50": who.api(who.agent, limit=50),
        "API agent status=open": who.api(who.agent, limit=50, status="open"),
        "API customer limit=50": who.api(who.customer, limit=50),
        "query agent active queue": queue(who.agent, status__in=active),
        "query supervisor active queue": queue(who.supervisor, status__in=active),
        "query customer (whole org)": queue(who.customer),
    }


def query_counts(who: Actors) -> list[list[object]]:
    """SQL statements per list request, after one call (the token's last_used_at write)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows: list[list[object]] = []
    for role, user in who.people.items():
        counts = []
        for limit in (10, 100):
            call = who.api(user, limit=limit)
            call()
            with CaptureQueriesContext(connection) as ctx:
                call()
            counts.append(len(ctx.captured_queries))
        rows.append([role, *counts, "yes" if counts[0] == counts[1] else "NO"])
    return rows


def explain(fn: Call) -> None:
    """Run the scenario once, find its slowest SQL statement and print its plan.

    The plan is asked with the statement's own bound parameters: SQLite plans a
    statement with literals differently from one with parameters, as the app runs it.
    """
    from django.db import connection

    statements: list[tuple[float, str, Any]] = []

    def record(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, sql, params))

    with connection.execute_wrapper(record):
        fn()
    seconds, sql, params = max(statements, key=lambda s: s[0])
    print(f"\nits slowest query ({seconds * 1000:.1f} ms), parameters {params}:\n\n{sql}\n")
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        prefix = "EXPLAIN (ANALYZE, BUFFERS)" if pg else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{prefix} {sql}", params)
        for row in cursor.fetchall():
            print("  " + (row[0] if pg else f"{row[0]:>4} {row[1]:>4}  {row[3]}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in bench/out)")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed (100000)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database seeded before")
    parser.add_argument("--data-dir", help="SQLite data dir (default bench/out/queue-sqlite-N)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per scenario (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs first (20)")
    parser.add_argument("--analyze", action="store_true", help="SQLite: plan with statistics")
    parser.add_argument("--explain", action="store_true", help="plan of the slowest query")
    args = parser.parse_args()

    prepare(args)
    who = Actors()
    cases = scenarios(who, args.tickets)
    rows, p95s = [], {}
    for name, fn in cases.items():
        samples = timed(fn, args.runs, args.warmup)
        p95s[name] = p95 = common.percentile(samples, 95)
        p50, worst = common.percentile(samples, 50), max(samples)
        verdict = "ok" if p95 < TARGET_P95 else "SLOW"
        rows.append([name, common.ms(p50), common.ms(p95), common.ms(worst), verdict])
    stats = " with ANALYZE" if args.analyze else ""
    print(f"\nqueue benchmark: {common.database_label()}{stats}, {args.tickets} tickets,")
    print(f"{args.runs} runs per scenario, in-process (django.test.Client, no server)\n")
    common.print_table(["scenario", "p50 ms", "p95 ms", "max ms", "p95<150"], rows)
    print("\nSQL queries per API list request:\n")
    common.print_table(["caller", "limit=10", "limit=100", "constant"], query_counts(who))
    slowest = max(p95s, key=lambda k: p95s[k])
    print(f"\nslowest scenario: {slowest} (p95 {common.ms(p95s[slowest])} ms)")
    if args.explain:
        explain(cases[slowest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
