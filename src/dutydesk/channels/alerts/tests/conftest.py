"""Integrations of each kind for the acme client, and a way to post to their URLs."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.test import Client

from dutydesk.channels.alerts import hooks
from dutydesk.channels.alerts.models import Integration
from dutydesk.channels.alerts.services.integrations import integration_create


class Hook:
    """An integration and its secret URL path."""

    def __init__(self, integration: Integration, url: str) -> None:
        self.integration = integration
        self.url = url
        self.path = urlsplit(url).path
        self.token = self.path.split("/")[3]
        self.client = Client()

    def post(self, data: dict | bytes | str, **extra):
        body = data if isinstance(data, bytes | str) else json.dumps(data)
        return self.client.post(self.path, body, content_type="application/json", **extra)


@pytest.fixture
def make_hook(acme) -> Callable[..., Hook]:
    def make(kind: str = "alertmanager", organization=None, **fields) -> Hook:
        integration, url = integration_create(
            organization=organization or acme, kind=kind, name=f"{kind} prod", by=None, **fields
        )
        return Hook(integration, url)

    return make


@pytest.fixture
def pages(monkeypatch) -> list[dict]:
    """Every page the intake asked for."""
    calls: list[dict] = []
    monkeypatch.setattr(hooks, "page_open", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def maintenance(monkeypatch) -> dict:
    """Set ``maintenance["on"] = True`` to be inside a window."""
    state = {"on": False, "calls": []}

    def in_maintenance(*, organization, at, check=None, integration=None) -> bool:
        state["calls"].append(organization)
        return state["on"]

    monkeypatch.setattr(hooks, "in_maintenance", in_maintenance)
    return state
