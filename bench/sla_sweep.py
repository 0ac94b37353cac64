"""SLA sweep cost: 100k open tickets, nothing due, then 100 and 1000 due.

    uv run python -m bench.sla_sweep [--tickets 100000] [--database-url URL] [--keep]

Seeds open tickets in bulk with their due columns and ``sla_next_check_at`` in the
future, times ``sla_sweep()`` when nothing is due (the index answers: no scan of open
tickets), then backdates 100 and 1000 of them so their first-response warning has come and
their client has waited past the policy's limit (seed 004: an on-duty alert, no pager
registered, so the fallback notice), and times the sweep that drains them (batches of 500,
as the periodic task runs). The cost should follow the due count, not the open count.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

if not __package__:  # run as a file: make "bench" and "dutydesk" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_MS = 200.0  # the sweep with nothing due
DUE_COUNTS = (100, 1000)


def seed(count: int, now: datetime) -> None:
    """``count`` open P3 tickets on the default 24/7 policy, first checked in 30 min+."""
    from dutydesk.sla.models import Policy
    from dutydesk.tickets.models import Channel, Priority, Status, Ticket

    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", "client.bench", team)
    requester = common.make_contacts(org, ["contact@client.bench"])[0]
    policy = Policy.objects.get(is_default=True)
    rows = (
        Ticket(
            number=1_000_000 + i,
            organization=org,
            requester=requester,
            subject=f"Bench ticket {i}",
            status=Status.OPEN,
            priority=Priority.P3,
            channel=Channel.API,
            team=team,
            tier="L1",
            sla_policy=policy,
            first_response_due=now + timedelta(hours=4),
            resolution_due=now + timedelta(days=1),
            sla_next_check_at=now + timedelta(minutes=30, seconds=i % 3600),
            unanswered_due=now + timedelta(hours=2),
        )
        for i in range(count)
    )
    batch: list[Ticket] = []
    for ticket in rows:
        batch.append(ticket)
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch.clear()
    Ticket.objects.bulk_create(batch)


def make_due(count: int, now: datetime) -> None:
    """Backdate ``count`` untouched tickets: created 3 h ago, their 75 % warning due now."""
    from dutydesk.tickets.models import Ticket

    created = now - timedelta(hours=3)
    picked = list(
        Ticket.objects.filter(sla_next_check_at__gt=now, first_response_due__gt=now)
        .exclude(created_at=created)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Ticket.objects.filter(pk__in=picked).update(
        created_at=created,
        first_response_due=created + timedelta(hours=4),
        resolution_due=created + timedelta(days=1),
        unanswered_due=now - timedelta(seconds=30),
        sla_next_check_at=now - timedelta(seconds=30),
    )


def best_of(runs: int, func) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def drain(now: datetime) -> int:
    """Sweep until nothing is due, as successive runs of the periodic task would."""
    from dutydesk.sla.sweep import sla_sweep
    from dutydesk.tickets.models import Ticket

    made = 0
    while Ticket.objects.filter(sla_next_check_at__lte=now).exists():
        made += sla_sweep(now=now)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets (100000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-sla-sweep-"))
    common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()
    from django.utils import timezone

    from dutydesk.core.services import database_analyze
    from dutydesk.sla.sweep import sla_sweep

    now = timezone.now()
    timer = common.Timer()
    seed(args.tickets, now)
    database_analyze()
    print(f"SLA sweep benchmark: {common.database_label()}, data dir {data_dir}")
    print(f"  seeded {args.tickets} open tickets in {timer.elapsed:.1f} s")

    rows = []
    idle, _made = best_of(7, lambda: sla_sweep(now=now))
    rows.append((args.tickets, 0, common.ms(idle), 0, "—"))
    for due in DUE_COUNTS:
        make_due(due, now)
        start = time.perf_counter()
        made = drain(now)
        spent = time.perf_counter() - start
        rows.append((args.tickets, due, common.ms(spent), made, common.ms(spent / due)))
        idle_after, _made = best_of(7, lambda: sla_sweep(now=now))
        rows.append((args.tickets, 0, common.ms(idle_after), 0, "—"))
    print()
    common.print_table(["open tickets", "due", "sweep ms", "marks", "ms per due"], rows)
    print()
    verdict = "met" if idle * 1000 < TARGET_MS else "MISSED"
    print(f"  nothing due: {common.ms(idle)} ms (target < {TARGET_MS:.0f} ms: {verdict})")
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if idle * 1000 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
