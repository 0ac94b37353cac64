"""Fixtures every test can use: two client organisations, teams and named people.

acme is served by the L1 team (l1_agent); globex by the L2 team (l2_agent). Customers:
anna@acme, boris@acme, gina@globex. A supervisor sees everything.
"""

from __future__ import annotations

import socket

import pytest

from dutydesk.accounts.models import Role
from dutydesk.testing.factories import OrganizationFactory, TeamFactory, UserFactory, customer

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and "/" not in host:
        raise OSError(f"tests may only connect to loopback, not {host!r}")
    return _real_connect(self, address)


def pytest_collection_modifyitems(config, items):
    """A transactional test must put the database back by serialized rollback: a flush
    without it makes the content types again under new ids, and the next serialized test
    then fails to restore its own."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None:
            continue
        if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use @pytest.mark.django_db(transaction=True, "
                "serialized_rollback=True)"
            )


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def l1_team(db):
    return TeamFactory(name="First line", slug="l1", tier="L1", email="l1@support.test")


@pytest.fixture
def l2_team(db):
    return TeamFactory(name="Second line", slug="l2", tier="L2")


@pytest.fixture
def acme(l1_team):
    return OrganizationFactory(
        name="Acme", slug="acme", default_team=l1_team, email_domains="acme.test"
    )


@pytest.fixture
def globex(l2_team):
    return OrganizationFactory(
        name="Globex", slug="globex", default_team=l2_team, email_domains="globex.test"
    )


@pytest.fixture
def anna(acme):
    return customer(acme, "anna@acme.test", name="Anna")


@pytest.fixture
def boris(acme):
    return customer(acme, "boris@acme.test", name="Boris")


@pytest.fixture
def gina(globex):
    return customer(globex, "gina@globex.test", name="Gina")


@pytest.fixture
def l1_agent(l1_team):
    return UserFactory(email="lena@support.test", name="Lena", role=Role.AGENT, teams=[l1_team])


@pytest.fixture
def l2_agent(l2_team):
    return UserFactory(email="oleg@support.test", name="Oleg", role=Role.AGENT, teams=[l2_team])


@pytest.fixture
def supervisor(db):
    return UserFactory(email="sveta@support.test", name="Sveta", role=Role.SUPERVISOR)
