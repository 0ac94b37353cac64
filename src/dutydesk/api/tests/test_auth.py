from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from dutydesk.accounts.models import ApiToken
from dutydesk.accounts.services import api_token_create, api_token_revoke
from dutydesk.api.tests.client import api_client

pytestmark = pytest.mark.django_db


def test_no_token_is_401_json_with_a_bearer_challenge(acme):
    response = Client().get("/api/v1/tickets")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer dd_not-a-real-token", "Bearer ", "Basic YW5uYTpzZWNyZXQ=", "dd_raw-token-no-scheme"],
)
def test_a_bad_token_is_401(acme, anna, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/tickets")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_revoked_token_is_401(anna):
    token, raw = api_token_create(user=anna, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/tickets").status_code == 200

    api_token_revoke(token=token, by=anna)

    assert client.get("/api/v1/tickets").status_code == 401


def test_the_token_of_a_deactivated_user_is_401(anna):
    client = api_client(anna)
    anna.is_active = False
    anna.save()
    assert client.get("/api/v1/tickets").status_code == 401


def test_a_signed_in_session_is_not_enough(anna):
    client = Client()
    client.force_login(anna)
    assert client.get("/api/v1/tickets").status_code == 401


def test_using_a_token_records_when_it_was_last_used(anna):
    token, raw = api_token_create(user=anna, name="t")
    assert token.last_used_at is None
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    client.get("/api/v1/tickets")

    token.refresh_from_db()
    assert token.last_used_at is not None
    first = token.last_used_at
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        client.get("/api/v1/tickets")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_openapi_schema_and_docs_are_served_without_a_token(db):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["info"]["title"] == "DutyDesk API"
    assert "/api/v1/tickets/{number}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"

    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/api/v1/openapi.json" in docs.content


def test_the_root_points_to_the_docs(db):
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "DutyDesk API",
        "version": "1",
        "docs": "/api/v1/docs",
        "openapi": "/api/v1/openapi.json",
    }


def test_an_unknown_path_is_a_json_404(anna):
    response = api_client(anna).get("/api/v1/no-such-thing/42")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_is_a_json_405(anna):
    response = api_client(anna).delete("/api/v1/tickets")
    assert response.status_code == 405
    assert "detail" in response.json()
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
