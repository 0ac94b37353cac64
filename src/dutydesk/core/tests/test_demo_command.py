"""`dutydesk demo` end to end: it serves, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_demo_serves_the_product_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dutydesk",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        for line in demo.stdout:
            output.append(line)
            if "Press Ctrl-C to stop." in line:
                break
        else:
            pytest.fail("demo ended before serving:\n" + "".join(output))
        base = f"http://127.0.0.1:{port}"
        status, body = _get(f"{base}/healthz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        assert _get(f"{base}/api/v1/openapi.json")[0] == 200
        assert "admin@dutydesk.local" in "".join(output)
        assert (tmp_path / "dutydesk.sqlite3").exists()
        assert (tmp_path / "secret_key").exists()
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert demo.returncode == 0, "".join(output) + rest
    time.sleep(0.5)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # nothing listens any more: the web server stopped with the demo
    leftovers = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit()
        and _cmdline(pid).count("gunicorn")
        and f"127.0.0.1:{port}" in _cmdline(pid)
    ]
    assert leftovers == []


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
