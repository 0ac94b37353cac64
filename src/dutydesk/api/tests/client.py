"""Helpers for API tests: a test client that carries a user's API token."""

from __future__ import annotations

import pytest
from django.test import Client

from dutydesk.accounts.models import User
from dutydesk.accounts.services import api_token_create

# Who calls, and what a ticket of acme (anna's, routed to team l1) answers them with.
ACCESS_MATRIX = [
    ("anonymous", "denied"),  # 401
    ("gina", "hidden"),  # a customer of another organisation: 404
    ("boris", "customer"),  # a customer of the same organisation
    ("l2_agent", "hidden"),  # an agent of another team: 404
    ("l1_agent", "staff"),  # an agent of the ticket's team
    ("supervisor", "staff"),
]


def api_client(user: User | None) -> Client:
    """A client that authenticates as the user with a fresh token; anonymous for None."""
    if user is None:
        return Client()
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def client_as(request: pytest.FixtureRequest, caller: str) -> Client:
    """The API client of a named fixture user, or an anonymous one for "anonymous"."""
    if caller == "anonymous":
        return Client()
    return api_client(request.getfixturevalue(caller))
