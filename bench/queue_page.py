"""The browser pages at scale: server time of the agent's queue page and of a ticket page
with 500 messages, rendered through the whole Django stack (sessions, middleware, CSP,
templates) by django.test.Client in-process.

    uv run python -m bench.queue_page                              # SQLite, 100k tickets
    uv run python -m bench.queue_page --tickets 1000000 --reuse \\
        --database-url postgres://postgres@127.0.0.1:5432/dutydesk_bench_queue

Shares the seeded database of bench.queue (same --tickets/--reuse/--database-url).
Targets: queue page p95 < 150 ms, ticket page with 500 messages p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

if not __package__:
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))

from bench import common
from bench.queue import prepare

QUEUE_P95 = 0.150
TICKET_P95 = 0.300


def page(client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def ticket_with_messages(n: int) -> int:
    """A ticket of the L1 queue holding ``n`` messages (half public, half notes)."""
    from dutydesk.accounts.models import User
    from dutydesk.tickets.models import Direction, Message, Ticket

    ticket = Ticket.objects.filter(team__slug__contains="l1").order_by("-id").first()
    ticket = ticket or Ticket.objects.order_by("-id").first()
    have = ticket.messages.count()
    if have < n:
        author = User.objects.get(email="agent00@support.bench")
        Message.objects.bulk_create(
            Message(
                ticket=ticket,
                author=author if i % 2 else ticket.requester,
                is_internal=i % 4 == 1,
                direction=Direction.OUTBOUND if i % 2 else Direction.INBOUND,
                body_text=f"Message {i}: " + "words of a realistic length " * 8,
                body_html=f"<p>Message {i}: " + "words of a realistic length " * 8 + "</p>",
                channel="email",
            )
            for i in range(have, n)
        )
    return ticket.number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    prepare(args)

    from django.test import Client

    from dutydesk.accounts.models import User

    supervisor = Client()
    supervisor.force_login(User.objects.get(email="supervisor@support.bench"))
    agent = Client()
    agent.force_login(User.objects.get(email="agent00@support.bench"))
    number = ticket_with_messages(args.messages)
    cases = {
        "queue agent: my team, by priority": (page(agent, "/desk/?view=team"), QUEUE_P95),
        "queue agent: unassigned": (page(agent, "/desk/?view=unassigned"), QUEUE_P95),
        "queue agent: by SLA due": (page(agent, "/desk/?view=team&sort=sla"), QUEUE_P95),
        "queue supervisor: all open": (page(supervisor, "/desk/?view=open"), QUEUE_P95),
        "queue supervisor: recently updated": (
            page(supervisor, "/desk/?view=recent"),
            QUEUE_P95,
        ),
        "queue supervisor: search 'vpn'": (
            page(supervisor, "/desk/?view=open&q=vpn"),
            QUEUE_P95,
        ),
        f"ticket page, {args.messages} messages": (
            page(supervisor, f"/desk/tickets/{number}/"),
            TICKET_P95,
        ),
    }
    rows = []
    for name, (fn, target) in cases.items():
        for _ in range(args.warmup):
            fn()
        wall, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        p50, p95 = common.percentile(wall, 50), common.percentile(wall, 95)
        cpu95 = common.percentile(cpu, 95)
        verdict = "ok" if p95 < target else ("ok on CPU" if cpu95 < target else "SLOW")
        rows.append(
            [
                name,
                common.ms(p50),
                common.ms(p95),
                common.ms(common.percentile(cpu, 50)),
                common.ms(cpu95),
                verdict,
            ]
        )
    print(
        f"\npage benchmark: {common.database_label()}, {args.tickets} tickets, {args.runs} runs\n"
    )
    # On a shared machine the wall time includes waiting for a core; the CPU time is
    # what the request itself costs.
    common.print_table(["page", "p50 ms", "p95 ms", "cpu p50", "cpu p95", "target"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
