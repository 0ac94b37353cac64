"""Outbound HTTP of the outbox: one keep-alive ``httpx.Client`` per worker thread.

A new client per request costs a TLS context and a connection each time (measured in
``bench/webhook_fanout.py``); reused, a worker draining a batch for one receiver keeps
its connection open.
"""

from __future__ import annotations

import threading

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "DutyDesk-Webhook/1"
_local = threading.local()


def http_client() -> httpx.Client:
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None or client.is_closed:
        client = httpx.Client(
            timeout=TIMEOUT,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_keepalive_connections=20, keepalive_expiry=30.0),
        )
        _local.client = client
    return client


def http_client_close() -> None:
    """Drop this thread's client (its pooled connections close)."""
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is not None:
        client.close()
        _local.client = None
