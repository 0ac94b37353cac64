"""Shared set-up of the benchmarks: environment, database, migrations, fixtures, figures.

Everything here that touches Django imports it lazily: ``configure()`` must set the
environment first, because ``dutydesk.settings`` reads it at import time.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from dutydesk.accounts.models import Organization, Team, User

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"  # git-ignored
PG_SCHEMES = ("postgres", "postgresql", "pgsql")


def is_postgres(database_url: str | None) -> bool:
    return bool(database_url) and urlsplit(database_url or "").scheme in PG_SCHEMES


def configure(data_dir: Path, database_url: str | None, redis_url: str | None = None) -> dict:
    """Set the environment DutyDesk reads (before Django is imported); return it for children."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("DATABASE_URL", "REDIS_URL"):  # SQLite and the SQLite queue unless asked
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "dutydesk.settings",
            "DUTYDESK_DATA_DIR": str(data_dir),
            "SECRET_KEY": "bench-only-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DUTYDESK_LOG_LEVEL": "WARNING",
            "DUTYDESK_DEBUG": "false",
            # gunicorn >= 25 opens a control socket at a per-user default path; another
            # gunicorn on this machine (a demo, a test) would fight over it.
            "GUNICORN_CMD_ARGS": "--no-control-socket",
        }
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    return dict(os.environ)


def _pg_admin(database_url: str) -> tuple[Any, str]:
    """A psycopg connection to the server's ``postgres`` database and the URL's db name."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    return psycopg.connect(admin, autocommit=True), name


def pg_database_exists(database_url: str) -> bool:
    conn, name = _pg_admin(database_url)
    with conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def recreate_database(database_url: str | None, data_dir: Path) -> None:
    """Start from nothing: drop and create the PostgreSQL database, or empty the data dir.

    Only databases and directories whose name contains "bench" are wiped, so a typo
    cannot wipe the test database or someone's ./var.
    """
    if not is_postgres(database_url):
        if "bench" not in str(data_dir.resolve()):
            sys.exit(f"refusing to empty {data_dir}: its path must contain 'bench'")
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        return
    assert database_url
    conn, name = _pg_admin(database_url)
    if "bench" not in name:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup() -> None:
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --- fixtures -------------------------------------------------------------------------


def make_team(slug: str, name: str, tier: str = "L1", email: str = "") -> Team:
    from dutydesk.accounts.models import Team

    return Team.objects.create(slug=slug, name=name, tier=tier, email=email)


def make_org(slug: str, name: str, domain: str, team: Team | None) -> Organization:
    from dutydesk.accounts.models import Organization

    return Organization.objects.create(
        slug=slug, name=name, email_domains=domain, default_team=team
    )


def make_staff(email: str, role: str, teams: Sequence[Team] = ()) -> User:
    from dutydesk.accounts.models import User

    user = User.objects.create_user(email, None, name=email.split("@")[0].title(), role=role)
    if teams:
        user.teams.add(*teams)
    return user


def make_contacts(org: Organization, emails: Sequence[str]) -> list[User]:
    """Customer contacts in bulk (unusable passwords: no hashing cost)."""
    from dutydesk.accounts.models import Role, User

    users = [
        User(email=e, name=e.split("@")[0], role=Role.CUSTOMER, organization=org, password="!")
        for e in emails
    ]
    return User.objects.bulk_create(users, batch_size=1000)


def make_token(user: User) -> str:
    from dutydesk.accounts.services import api_token_create

    _token, raw = api_token_create(user=user, name="bench")
    return raw


# --- processes and figures ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted samples."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        line = "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        print("  " + line.rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start


Answer = Callable[[int, bytes, float], None]


def post_all(
    port: int, path: str, payloads: list[bytes], *, concurrency: int, headers: dict, answer: Answer
) -> float:
    """POST every payload over ``concurrency`` keep-alive connections; ``answer(status,
    body, seconds)`` is called for each, one at a time. Returns the wall time."""
    lock = threading.Lock()
    items = iter(payloads)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                body = next(items, None)
            if body is None:
                break
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                status, text = response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                status, text = 0, repr(exc).encode()
            elapsed = time.perf_counter() - start
            with lock:
                answer(status, text, elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    timer = Timer()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timer.elapsed


def wait_for_stop_signal() -> None:
    """Block until SIGTERM or SIGINT (a receiver child process the bench stops)."""
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
