"""Running a short request's statements without the per-request ``SELECT 1`` health check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")


class _Executed:
    """Counts the statements that ran: a reused connection found dead failed on its first."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        self.count += 1
        return result


def without_health_check(run: Callable[[], T]) -> T:
    """``run()`` on the default connection without CONN_HEALTH_CHECKS' ``SELECT 1``.

    For requests of a few statements the check is one more round trip in each. A reused
    connection that died while idle fails on ``run``'s first statement instead, before
    anything was written; then ``run`` is called again, once, on a new connection.
    """
    reused = connection.connection is not None
    if reused:
        connection.health_check_done = True
    executed = _Executed()
    try:
        with connection.execute_wrapper(executed):
            return run()
    except (InterfaceError, OperationalError):
        if not reused or executed.count or connection.in_atomic_block:
            raise
    connection.close()
    return run()
