"""The configured Huey store (SQLite file, or Redis when REDIS_URL is set) carries tasks."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def _real_huey(tmp_path):
    config = {k: v for k, v in settings.HUEY.items() if k not in ("huey_class", "consumer")}
    config.update(immediate=False, name=f"dutydesk-test-{tmp_path.name}")
    if "filename" in config:
        config["filename"] = str(tmp_path / "huey.sqlite3")
    return import_string(settings.HUEY["huey_class"])(**config)


def test_huey_store_matches_the_environment():
    expected = "PriorityRedisHuey" if settings.REDIS_URL else "SqliteHuey"
    assert settings.HUEY["huey_class"].endswith(expected)


def test_task_round_trips_through_the_configured_store(tmp_path):
    huey = _real_huey(tmp_path)
    try:
        seen = []

        @huey.task()
        def remember(value: int) -> int:
            seen.append(value)
            return value * 2

        result = remember(21)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        assert huey.execute(task) == 42
        assert seen == [21]
        assert result.get() == 42
    finally:
        huey.flush()
