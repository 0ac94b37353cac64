"""The embedded task queue: Huey's SQLite store with the durability of DutyDesk's database.

Huey opens its SQLite file in WAL mode with SQLite's default ``synchronous=FULL``, which
syncs the log to disk on every commit: each task enqueued after an ingest commit then
waits for the disk (about 5 ms here, far more on a busy disk), and a mail or Telegram
poll enqueues one or two per item. ``NORMAL``, as for the main database, syncs at
checkpoints only: a crashed process loses nothing, a power cut may lose the last tasks,
which the periodic sweeps redo (a task is only the fast path; the rows are the truth).
"""

from __future__ import annotations

import sqlite3

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class DutyDeskSqliteHuey(SqliteHuey):
    storage_class = NormalSyncSqliteStorage
