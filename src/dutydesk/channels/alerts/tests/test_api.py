"""/api/v1/monitoring/integrations: managers create integrations and get the URL once."""

from __future__ import annotations

import pytest

from dutydesk.api.tests.client import api_client
from dutydesk.channels.alerts.models import Integration
from dutydesk.channels.alerts.tests.payloads import dumps, load
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/integrations"
BODY = {"organization": "acme", "name": "Prometheus prod", "kind": "alertmanager"}


def test_supervisor_creates_an_integration_and_its_url_works(supervisor, acme, l2_team):
    response = api_client(supervisor).post(
        URL, {**BODY, "team": "l2"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["organization"] == "acme" and data["team"] == "l2"
    assert data["severity_map"]["critical"] == "P1"
    path = "/hooks/" + data["url"].split("/hooks/", 1)[1]
    hook = api_client(None).post(path, dumps(load("alertmanager")), "application/json")
    assert hook.status_code == 200
    assert Ticket.objects.get().team == l2_team


@pytest.mark.parametrize("caller", ["anonymous", "anna", "l1_agent"])
def test_only_supervisors_managers_and_admins_manage_integrations(request, acme, caller):
    user = None if caller == "anonymous" else request.getfixturevalue(caller)
    client = api_client(user)
    expected = 401 if user is None else 403
    assert client.post(URL, BODY, content_type="application/json").status_code == expected
    assert client.get(URL).status_code == expected
    assert not Integration.objects.exists()


def test_list_never_shows_the_secret(supervisor, make_hook):
    hook = make_hook()
    items = api_client(supervisor).get(URL).json()
    assert [i["name"] for i in items] == ["alertmanager prod"]
    assert "url" not in items[0] and hook.token not in str(items)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization": "nope"}, "organization"),
        ({"team": "nope"}, "team"),
        ({"severity_map": {"critical": "urgent"}}, "severity_map"),
    ],
)
def test_bad_input_is_422_and_creates_nothing(supervisor, acme, change, field):
    response = api_client(supervisor).post(URL, {**BODY, **change}, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Integration.objects.exists()


def test_unknown_kind_is_422(supervisor, acme):
    response = api_client(supervisor).post(
        URL, {**BODY, "kind": "nagios"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_rotate_returns_a_new_url_and_retires_the_old(supervisor, make_hook):
    hook = make_hook()
    response = api_client(supervisor).post(f"{URL}/{hook.integration.pk}/rotate")
    assert response.status_code == 200
    assert hook.post(load("alertmanager")).status_code == 404
    assert api_client(supervisor).post(f"{URL}/999/rotate").status_code == 404
