"""Heartbeat pings in front of Django: the WSGI app with a fast path for ``/ping/<uuid>``.

A ping through the whole middleware stack (sessions, locale, CSRF, auth, messages)
costs several times what recording it does. The wrapper answers pings itself — the
same ``ping_record`` as the view, with the database connection handled the way Django's
request signals would — and passes every other request to Django untouched.
Serve ``dutydesk.monitoring.wsgi:application`` (or wrap ``dutydesk.wsgi.application``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from dutydesk.core.connections import without_health_check

PING_PATH = re.compile(r"^/ping/([0-9a-fA-F-]{32,36})(?:/(start|fail))?/?$")
WSGIApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]


def with_ping_fast_path(app: WSGIApp) -> WSGIApp:
    def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        match = PING_PATH.match(path) if path.startswith("/ping/") else None
        if match is None or method not in ("GET", "POST", "HEAD"):
            return app(environ, start_response)
        try:
            key = uuid.UUID(match[1])
        except ValueError:
            return app(environ, start_response)
        close_old_connections()
        try:
            found = _record(key, match[2] or "success")
        finally:
            close_old_connections()
        body = b"OK\n" if found else b"not found\n"
        start_response(
            "200 OK" if found else "404 Not Found",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
        )
        return [b"" if method == "HEAD" else body]

    return application


def _record(key: uuid.UUID, signal: str) -> bool:
    """``ping_record`` without the per-request ``SELECT 1`` of CONN_HEALTH_CHECKS: a ping
    is one statement on PostgreSQL, so the check was a second round trip."""
    from dutydesk.monitoring.heartbeats import ping_record

    at = timezone.now()
    return without_health_check(lambda: ping_record(key=key, signal=signal, at=at))


def _application() -> WSGIApp:
    from dutydesk.wsgi import application as django_application

    return with_ping_fast_path(django_application)


application = _application()
