"""Outbound webhooks: fan-out cost on the ticket path and deliveries per second sent.

    uv run python -m bench.webhook_fanout [--tickets 250] [--subscriptions 4] [--database-url URL]

A receiver in a child process (keep-alive HTTP/1.1 on loopback, like a CRM) checks every
signature as docs/webhooks.md says and counts the distinct delivery ids it accepted.
DutyDesk gets ``--subscriptions`` subscriptions to ticket.created. Then:

1. ingest: ``--tickets`` tickets with no subscription, then as many with them, to show
   what writing the deliveries adds to a ticket (one delivery per subscription each);
2. send: the worker's outbox sweep drains the deliveries (``--tickets`` ×
   ``--subscriptions``) to the receiver, first opening a new ``httpx.Client`` for every
   delivery (as ``httpx.post`` does), then with the worker thread's reused client (what
   DutyDesk does). Both runs send the same rows, made due again in between.

Prints deliveries/s, wall and CPU ms per delivery (this process: sender + database
client; the receiver's CPU is not counted), and exits 1 when the reused client misses
the target or the receiver did not get every delivery exactly once with a valid signature.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process
from pathlib import Path

if not __package__:  # run as a file: make "bench" and "dutydesk" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_PER_SECOND = 200.0


def receiver(port: int, secrets: list[str]) -> None:
    """The CRM: 200 to each validly signed POST; GET /stats -> counts; POST /reset."""
    lock = threading.Lock()
    seen: dict[str, int] = {}
    stats = {"requests": 0, "invalid": 0}

    def valid(headers, body: bytes) -> bool:
        stamp = headers.get("X-DutyDesk-Timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return False
        signed = f"{stamp}.".encode() + body
        given = headers.get("X-DutyDesk-Signature", "")
        for secret in secrets:
            mac = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
            if hmac.compare_digest("sha256=" + mac, given):
                return True
        return False

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm the body waits
        # for the client's delayed ACK (40 ms a response), which no real server does.
        disable_nagle_algorithm = True

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with lock:
                body = json.dumps(
                    {**stats, "distinct": len(seen), "repeats": sum(n - 1 for n in seen.values())}
                ).encode()
            self._answer(200, body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/reset":
                with lock:
                    seen.clear()
                    stats.update(requests=0, invalid=0)
                self._answer(200, b"{}")
                return
            ok = valid(self.headers, body)
            key = f"{self.headers.get('X-DutyDesk-Delivery')} {self.path}"
            with lock:
                stats["requests"] += 1
                if ok:
                    seen[key] = seen.get(key, 0) + 1
                else:
                    stats["invalid"] += 1
            self._answer(200 if ok else 401, b'{"ok":true}' if ok else b'{"ok":false}')

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.serve_forever()


def _control(port: int, method: str, path: str) -> dict:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=b"" if method == "POST" else None)
    answer = json.loads(conn.getresponse().read() or b"{}")
    conn.close()
    return answer


def _drain(threads: int) -> tuple[float, float, int]:
    """Send until nothing is due, as ``threads`` workers running the outbox sweep would
    (each claims a row before sending it); wall seconds, CPU seconds, sent."""
    from django.db import connection

    from dutydesk.notify.sending import DeliveryStatus, deliveries_send, due_delivery_ids

    sent = [0] * threads

    def worker(n: int) -> None:
        while ids := due_delivery_ids(limit=200):
            # Workers start at different rows of the same due list, as busy sweeps do.
            ids = ids[n * len(ids) // threads :] + ids[: n * len(ids) // threads]
            statuses = deliveries_send(ids)  # what deliveries_sweep does, in batches
            sent[n] += sum(status == DeliveryStatus.SENT for status in statuses.values())
        connection.close()

    wall, cpu = time.perf_counter(), time.process_time()
    if threads == 1:
        worker(0)
    else:
        pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    return time.perf_counter() - wall, time.process_time() - cpu, sum(sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its database is recreated)")
    parser.add_argument("--tickets", type=int, default=250, help="tickets per ingest run (250)")
    parser.add_argument("--subscriptions", type=int, default=4, help="subscribers (4)")
    parser.add_argument(
        "--fresh-sample", type=int, default=200, help="deliveries sent with a new client each (200)"
    )
    parser.add_argument("--threads", type=int, default=4, help="worker threads, last run (4)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dutydesk-bench-webhooks-"))
    common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()
    from unittest import mock

    import httpx

    from dutydesk.accounts.models import Role
    from dutydesk.notify import http as notify_http
    from dutydesk.notify.models import Delivery
    from dutydesk.notify.webhooks.services import webhook_create
    from dutydesk.tickets.inbound import Inbound
    from dutydesk.tickets.services import ingest

    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", "client.bench", team)
    admin = common.make_staff("admin@support.bench", Role.ADMIN)
    port = common.free_port()

    def ingest_run(label: str) -> tuple[float, float]:
        timer, cpu = common.Timer(), time.process_time()
        for n in range(args.tickets):
            ingest(
                Inbound(
                    channel="api",
                    source_id=f"{label}-{n}",
                    sender_email=f"c{n % 50}@client.bench",
                    subject=f"Ticket {n} ({label})",
                    body_text=f"Something is broken, #{n}",
                    organization=org,
                )
            )
        return timer.elapsed, time.process_time() - cpu

    ingest_run("warm-up")
    plain_seconds, plain_cpu = ingest_run("plain")
    secrets = []
    for n in range(args.subscriptions):
        created = webhook_create(
            by=admin,
            name=f"CRM {n}",
            url=f"http://127.0.0.1:{port}/hook/{n}",
            events=["ticket.created"],
        )
        secrets.append(created.secret)
    fanout_seconds, fanout_cpu = ingest_run("fanout")
    webhooks = Delivery.objects.filter(webhook__isnull=False)
    expected = webhooks.count()
    # The tickets' email notices are not this benchmark's; only webhooks are due.
    Delivery.objects.filter(webhook__isnull=True).update(status="cancelled")

    child = Process(target=receiver, args=(port, secrets), daemon=True)
    child.start()
    for _ in range(100):
        try:
            _control(port, "GET", "/stats")
            break
        except OSError:
            time.sleep(0.05)

    def fresh_client() -> httpx.Client:
        notify_http.http_client_close()  # what httpx.post does: a client per request
        return notify_http.http_client()

    rows = []
    checks = []
    all_ids = list(webhooks.order_by("pk").values_list("pk", flat=True))
    transport = sys.modules["dutydesk.notify.webhooks.transport"]
    runs = [
        # A client per delivery is slow: a sample is enough to show it.
        ("new client per delivery", all_ids[: args.fresh_sample], fresh_client, 1),
        ("reused client (DutyDesk)", all_ids, transport.http_client, 1),
        (f"reused, {args.threads} worker threads", all_ids, transport.http_client, args.threads),
    ]
    for label, ids, client, threads in runs:
        webhooks.update(status="cancelled")
        due = webhooks.first().created_at
        webhooks.filter(pk__in=ids).update(status="pending", attempts=0, next_attempt_at=due)
        notify_http.http_client_close()
        _control(port, "POST", "/reset")
        with mock.patch.object(transport, "http_client", client):
            wall, cpu, sent = _drain(threads)
        stats = _control(port, "GET", "/stats")
        rows.append(
            (
                label,
                sent,
                f"{wall:.2f}",
                f"{sent / wall:.0f}",
                common.ms(wall / max(sent, 1)),
                common.ms(cpu / max(sent, 1)),
            )
        )
        checks.append((label, len(ids), sent, stats, sent / wall))

    load = os.getloadavg()[0]
    print(f"Webhook fan-out benchmark: {common.database_label()}, data dir {data_dir}")
    print(f"  load average {load:.1f} on {os.cpu_count()} cores (shared machine)")
    print()
    n = args.tickets
    common.print_table(
        ["ingest", "tickets", "seconds", "tickets/s", "ms each", "CPU ms each"],
        [
            (
                label,
                n,
                f"{wall:.2f}",
                f"{n / wall:.0f}",
                common.ms(wall / n),
                common.ms(cpu / n),
            )
            for label, wall, cpu in (
                ("no subscription", plain_seconds, plain_cpu),
                (f"{args.subscriptions} subscriptions", fanout_seconds, fanout_cpu),
            )
        ],
    )
    print(
        f"  fan-out adds {common.ms((fanout_cpu - plain_cpu) / n)} CPU ms per ticket "
        f"({args.subscriptions} deliveries written in the ticket's transaction, "
        f"{expected} in all)"
    )
    print()
    common.print_table(
        [
            "send",
            "deliveries",
            "seconds",
            "per second",
            "ms each",
            "CPU ms each",
        ],
        rows,
    )
    print()
    ok = True
    for label, wanted, sent, stats, _rate in checks:
        good = sent == wanted and stats["distinct"] == wanted and not stats["invalid"]
        good = good and not stats["repeats"]
        ok = ok and good
        print(
            f"  {label}: receiver got {stats['distinct']} of {wanted} distinct, "
            f"{stats['repeats']} repeats, {stats['invalid']} bad signatures"
            + ("" if good else "  — WRONG")
        )
    rate = max(checks[1][4], checks[2][4])
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    print(
        f"  {rate:.0f} deliveries/s at best with the reused client (target ≥ "
        f"{TARGET_PER_SECOND:.0f}: {verdict})"
    )
    child.terminate()
    child.join(5)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok and rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
