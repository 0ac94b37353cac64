"""Email intake throughput: messages per second from a local Dovecot mailbox into tickets.

    uv run python -m bench.email_ingest                                 # SQLite
    uv run python -m bench.email_ingest --database-url postgres://postgres@127.0.0.1:5432/dd_email_bench

A fresh database (SQLite in a temporary data dir, or the PostgreSQL database named in
--database-url, dropped and created again; its name must contain "bench") is migrated
and given one client organisation with its team and 200 contacts. A throwaway Dovecot
is started on loopback and --messages distinct mails are put in one folder with IMAP
APPEND (not timed): a mix of plain text, multipart/alternative HTML, a KOI8-R body and
a small attachment; half from existing contacts, half from new people of the client's
domain; one in five is a reply that threads into an earlier ticket by In-Reply-To.
Then one ``mailbox_poll`` (what the worker's task runs) reads them all: it lists the
new UIDs, fetches each, ingests it (ticket, message, attachments, events, audit,
outbox rows) and marks it seen, one commit per message. Printed: messages/s over the
poll, the outcomes, and a second poll's time (nothing new: the cost of an idle poll).
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a file: make "bench" importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET = 50.0  # messages/s (issue 5)
DOMAIN = "client.bench"


def mail(n: int, contacts: list[str]) -> bytes:
    """The n-th distinct message; every fifth answers the message five before it."""
    sender = contacts[n % len(contacts)] if n % 2 else f"new{n}@{DOMAIN}"
    head = (
        f"From: Person {n} <{sender}>\r\nTo: support@example.test\r\n"
        f"Subject: Request {n}\r\nMessage-ID: <bench-{n}@{DOMAIN}>\r\n"
        f"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    )
    if n % 5 == 4:
        head += f"In-Reply-To: <bench-{n - 4}@{DOMAIN}>\r\n"
    kind = n % 4
    if kind == 0:
        return (
            head + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Plain request number {n}.\r\nThe printer is jammed.\r\n"
        ).encode()
    if kind == 1:
        return (
            head + 'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Request {n}: VPN drops.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<p>Request {n}: <b>VPN</b> drops.</p><script>x()</script>\r\n--b--\r\n"
        ).encode()
    if kind == 2:
        body = f"Запрос {n}: не работает почта.\r\n".encode("koi8-r")
        return (
            head + "Content-Type: text/plain; charset=koi8-r\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode() + body
    data = base64.encodebytes(f"log line {n}\n".encode() * 50).decode()
    return (
        head + 'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Request {n}, log attached.\r\n--m\r\nContent-Type: text/plain; name=log.txt\r\n"
        "Content-Disposition: attachment; filename=log.txt\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n--m--\r\n"
    ).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()

    with open("/proc/loadavg") as handle:
        load_before = handle.read().split()[0]
    data_dir = Path(tempfile.mkdtemp(prefix="dd-email-bench-"))
    common.recreate_database(args.database_url, data_dir)
    common.configure(data_dir, args.database_url)
    common.django_setup()
    common.migrate()

    from dutydesk.channels.email.dovecot import PASSWORD, USER, Dovecot
    from dutydesk.channels.email.models import Mailbox, Security
    from dutydesk.channels.email.poll import mailbox_poll
    from dutydesk.tickets.models import Message, Ticket

    team = common.make_team("l1", "Service desk", "L1", email="l1@support.bench")
    org = common.make_org("client", "Bench Client", DOMAIN, team)
    contacts = [f"contact{i}@{DOMAIN}" for i in range(200)]
    common.make_contacts(org, contacts)

    dovecot = Dovecot.start()
    try:
        folder = dovecot.new_folder()
        started = time.perf_counter()
        dovecot.append(folder, *(mail(n, contacts) for n in range(args.messages)))
        appended = time.perf_counter() - started
        mailbox = Mailbox(
            name="Bench",
            host="127.0.0.1",
            port=dovecot.port,
            security=Security.NONE,
            username=USER,
            folder=folder,
            from_address="support@example.test",
        )
        mailbox.password = PASSWORD
        mailbox.save()

        started, cpu_started = time.perf_counter(), time.process_time()
        result = mailbox_poll(mailbox.pk)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        started = time.perf_counter()
        idle = mailbox_poll(mailbox.pk)
        idle_wall = time.perf_counter() - started
        unseen = sum("\\Seen" not in flags for flags in dovecot.flags(folder).values())
    finally:
        dovecot.stop()

    handled = sum(result.outcomes.values())
    rate = handled / wall if wall else 0.0
    # The poller's own CPU per message: on a shared machine the wall clock also counts
    # waiting for the cores; CPU time tells what one poller could do on an idle core.
    cpu_ms = cpu / handled * 1000 if handled else 0.0
    common.print_table(
        ["database", "messages", "poll s", "messages/s", "target", "CPU ms/msg", "outcomes"],
        [
            [
                common.database_label(),
                handled,
                f"{wall:.2f}",
                f"{rate:.1f}",
                f"≥ {TARGET:.0f}",
                f"{cpu_ms:.1f}",
                " ".join(f"{k}={v}" for k, v in sorted(result.outcomes.items())),
            ]
        ],
    )
    with open("/proc/loadavg") as handle:
        load_after = handle.read().split()[0]
    print(
        f"poller CPU alone would allow {1000 / cpu_ms if cpu_ms else 0:.0f} messages/s; "
        f"idle poll {idle_wall * 1000:.0f} ms; load average {load_before} → {load_after} "
        f"({os.cpu_count()} cores)"
    )
    print(
        f"APPEND of {args.messages} mails (not timed): {appended:.1f} s; "
        f"tickets {Ticket.objects.count()}, messages {Message.objects.count()}, "
        f"left unseen {unseen}"
    )
    ok = not result.error and not idle.outcomes and handled == args.messages and unseen == 0
    if result.error:
        print(f"error: {result.error}")
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
