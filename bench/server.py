"""The server under test: start and stop it, and see where its time goes.

``CpuMeter`` reads user+system CPU of the server's processes (and of the PostgreSQL
backends serving its database) from /proc, so a run can say how many CPU-milliseconds
one request costs and so what 2 cores could serve at best. ``WaitSampler`` samples
pg_stat_activity to show whether sessions wait on locks, on the disk, or on Python.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import common


def serve_argv(port: int, workers: int, threads: int, app: str = "") -> list[str]:
    """``dutydesk serve`` on loopback, as installations run it; with ``app``, gunicorn
    serving that WSGI app instead (what-ifs, the ping fast path)."""
    size = ["--workers", str(workers), "--threads", str(threads)]
    if app:
        bind = ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
        return [sys.executable, "-m", "gunicorn", app, *bind, *size]
    bind = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "dutydesk", "serve", *bind, *size]


def start(argv: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    """Run the server in its own process group and wait until /healthz answers 200."""
    out = log.open("wb")
    server = subprocess.Popen(argv, env=env, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit(f"the server did not answer /healthz within 60 s; see {log}")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM the server's process group; SIGKILL it if it lingers."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _group(pgid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.getpgid(int(name)) == pgid:
                    pids.append(int(name))
            except OSError:
                continue
    return pids


def _pg_backends() -> list[int]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds spent by the web server's processes and the database's backends."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.pgid = server.pid
        self.start = self._snapshot()
        self.client_start = time.process_time()

    def _snapshot(self) -> dict[str, dict[int, float]]:
        parts = {"web": _group(self.pgid)}
        if backends := _pg_backends():
            parts["postgres"] = backends
        return {k: {p: c for p in pids if (c := _cpu(p)) is not None} for k, pids in parts.items()}

    def spent(self) -> dict[str, float]:
        """CPU seconds per part since the meter started (processes born since count whole)."""
        end = self._snapshot()
        spent = {k: sum(c - self.start[k].get(p, 0.0) for p, c in end[k].items()) for k in end}
        spent["client"] = time.process_time() - self.client_start
        return spent


class WaitSampler(threading.Thread):
    """What the server's PostgreSQL sessions are doing, sampled every 50 ms."""

    SQL = (
        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname ="
        " current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.seen: Counter[str] = Counter()

    def run(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while not self.done.wait(0.05):
                    cursor.execute(self.SQL)
                    for state, kind, event in cursor.fetchall():
                        wait = f"waits on {kind}:{event}" if kind else "on CPU"
                        self.seen[state if state != "active" else f"active, {wait}"] += 1
        finally:
            connection.close()

    def report(self) -> None:
        total = sum(self.seen.values()) or 1
        rows = [[k, f"{100 * n / total:.0f}%"] for k, n in self.seen.most_common(8)]
        print("\n  the server's PostgreSQL sessions during the run (share of samples):")
        common.print_table(["session state", "share"], rows)
