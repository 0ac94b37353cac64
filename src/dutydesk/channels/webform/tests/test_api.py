"""``/api/v1/channels/webforms``: admins manage the forms; nobody else sees them."""

from __future__ import annotations

import pytest

from dutydesk.api.tests.client import api_client
from dutydesk.channels.webform.models import WebForm
from dutydesk.core.models import AuditLog
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/channels/webforms"


@pytest.fixture
def admin(db):
    return UserFactory(email="root@support.test", role="admin")


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("anna", 403), ("gina", 403), ("l1_agent", 403), ("admin", 200)],
)
def test_only_admins_list_the_forms(request, webform, caller, status):
    user = None if caller == "anonymous" else request.getfixturevalue(caller)
    response = api_client(user).get(URL)
    assert response.status_code == status
    if status == 200:
        assert [f["key"] for f in response.json()] == [webform.slug]


@pytest.mark.parametrize("caller", ["anna", "gina", "l1_agent"])
def test_clients_and_agents_can_neither_read_nor_change_a_form(request, webform, caller):
    client = api_client(request.getfixturevalue(caller))
    assert client.get(f"{URL}/{webform.pk}").status_code == 403
    patch = client.patch(f"{URL}/{webform.pk}", {"is_active": False}, "application/json")
    assert patch.status_code == 403
    assert client.delete(f"{URL}/{webform.pk}").status_code == 403
    webform.refresh_from_db()
    assert webform.is_active


def test_the_list_costs_a_fixed_number_of_queries(
    admin, acme, l1_team, django_assert_max_num_queries
):
    for n in range(5):
        WebForm.objects.create(name=f"Form {n}", organization=acme, team=l1_team)
    client = api_client(admin)
    with django_assert_max_num_queries(4):  # the token, its last use, the forms
        response = client.get(URL)
    assert len(response.json()) == 5


def test_an_admin_creates_reads_changes_and_deletes_a_form(admin, acme, l2_team):
    client = api_client(admin)
    created = client.post(
        URL,
        {
            "name": "Acme site",
            "organization": "acme",
            "team": l2_team.slug,
            "priority": "P2",
            "allowed_origins": ["https://www.acme.test/", "https://acme.test:8443"],
            "ask_phone": True,
        },
        "application/json",
    )
    assert created.status_code == 201
    body = created.json()
    form = WebForm.objects.get(pk=body["id"])
    assert body["url"].endswith(f"/forms/{form.slug}/")
    assert body["allowed_origins"] == ["https://www.acme.test", "https://acme.test:8443"]
    assert f'src="{body["url"]}"' in body["embed_code"] and "<script src=" in body["embed_code"]
    assert (form.organization, form.team, form.priority) == (acme, l2_team, "P2")

    assert client.get(f"{URL}/{form.pk}").json()["name"] == "Acme site"
    patched = client.patch(
        f"{URL}/{form.pk}", {"organization": "", "is_active": False}, "application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["organization"] is None and patched.json()["is_active"] is False

    assert client.delete(f"{URL}/{form.pk}").status_code == 204
    assert not WebForm.objects.exists()
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"webform.created", "webform.changed", "webform.deleted"} <= actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "organization": "nope"}, "organization"),
        ({"name": "X", "team": "nope"}, "team"),
        ({"name": "X", "priority": "P9"}, "priority"),
        ({"name": "X", "allowed_origins": ["javascript:alert(1)"]}, "allowed_origins"),
        ({"name": "X", "allowed_origins": ["https://a.test/path"]}, "allowed_origins"),
        ({"name": "X", "colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_a_422_and_create_nothing(admin, acme, body, field):
    response = api_client(admin).post(URL, body, "application/json")
    assert response.status_code == 422
    assert field in response.content.decode()
    assert not WebForm.objects.exists()


def test_an_unknown_form_is_a_404(admin):
    assert api_client(admin).get(f"{URL}/999").status_code == 404
    assert api_client(admin).patch(f"{URL}/999", {}, "application/json").status_code == 404
