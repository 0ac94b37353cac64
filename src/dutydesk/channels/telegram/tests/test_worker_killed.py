"""Exactly once when the worker process is killed (SIGKILL) mid-update, on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dutydesk.channels.telegram.tests.standin import BotApiStandIn

WORKER = "dutydesk.channels.telegram.tests.killable_worker"

# Four Django processes and a full migration: about a minute on a quiet 2-core machine,
# several on a busy one, so it runs when asked (CI sets it).
pytestmark = pytest.mark.skipif(
    not os.environ.get("DUTYDESK_SLOW_TESTS"),
    reason="kills real worker processes; set DUTYDESK_SLOW_TESTS=1 to run",
)


@pytest.fixture
def standin():
    api = BotApiStandIn().start()
    yield api
    api.stop()


def _env(data_dir: Path, standin: BotApiStandIn) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dutydesk.settings",
            "DUTYDESK_DATA_DIR": str(data_dir),
            "SECRET_KEY": "kill-test-" + "k" * 40,  # the same key decrypts the token in each run
            "DUTYDESK_TELEGRAM_API_URL": standin.url,
            "DUTYDESK_TELEGRAM_LONG_POLL_SECONDS": "0",
            "DUTYDESK_LOG_LEVEL": "ERROR",
            "STANDIN_TOKEN": standin.token,
        }
    )
    return env


def _run(mode: str, data_dir: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", WORKER, mode, str(data_dir)], env=env, check=True, timeout=300
    )


def _kill_when(marker: Path, mode: str, data_dir: Path, env: dict[str, str]) -> None:
    process = subprocess.Popen([sys.executable, "-m", WORKER, mode, str(data_dir)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, f"worker ended before reaching {marker.name}"
            assert time.monotonic() < deadline, f"worker never reached {marker.name}"
            time.sleep(0.05)
    finally:
        process.kill()  # SIGKILL: no cleanup, no rollback by Python
        process.wait()


def _count(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "dutydesk.sqlite3") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_killed_worker_neither_loses_nor_doubles_a_message(tmp_path, standin):
    env = _env(tmp_path, standin)
    _run("setup", tmp_path, env)

    standin.add_message(user_id=777, text="Killed inside the transaction")
    _kill_when(tmp_path / "inside-transaction", "hang-in-transaction", tmp_path, env)
    assert _count(tmp_path, "tickets_message") == 0  # rolled back with the process
    _run("poll", tmp_path, env)
    assert _count(tmp_path, "tickets_message") == 1

    standin.add_message(user_id=777, text="Killed after the commit")
    _kill_when(tmp_path / "committed", "hang-after-commit", tmp_path, env)
    assert _count(tmp_path, "tickets_message") == 2  # committed, offset not moved
    _run("poll", tmp_path, env)  # Telegram sends it again

    assert _count(tmp_path, "tickets_message") == 2
    assert _count(tmp_path, "channels_telegram_telegramupdate") == 2
    assert _count(tmp_path, "tickets_ticket") == 1
