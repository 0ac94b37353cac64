"""The embedded task queue syncs like the main database: at checkpoints, not every commit."""

from __future__ import annotations

from dutydesk.core.huey_sqlite import DutyDeskSqliteHuey


def test_queue_connection_syncs_at_checkpoints_only(tmp_path):
    huey = DutyDeskSqliteHuey("sync-test", filename=str(tmp_path / "q.sqlite3"))
    try:
        conn = huey.storage.conn
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        huey.storage.close()


def test_tasks_survive_a_new_connection(tmp_path):
    path = str(tmp_path / "q.sqlite3")
    first = DutyDeskSqliteHuey("sync-test", filename=path)
    first.storage.enqueue(b"payload")
    first.storage.close()
    second = DutyDeskSqliteHuey("sync-test", filename=path)
    try:
        assert second.storage.dequeue() == b"payload"
    finally:
        second.storage.close()
