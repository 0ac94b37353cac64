"""The channels' API: bot settings and PBX integrations for admins, link codes for anyone."""

from __future__ import annotations

import pytest

from dutydesk.api.tests.client import api_client
from dutydesk.channels.phone.models import PhoneIntegration
from dutydesk.channels.telegram.models import TelegramBot, TelegramLinkCode
from dutydesk.channels.telegram.services import link_code_hash
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(email="root@support.test", role="admin")


@pytest.mark.parametrize(
    ("caller", "status"), [("anonymous", 401), ("anna", 403), ("supervisor", 403), ("admin", 200)]
)
def test_only_admins_see_the_bot_settings(request, bot, caller, status):
    user = None if caller == "anonymous" else request.getfixturevalue(caller)
    response = api_client(user).get("/api/v1/channels/telegram")
    assert response.status_code == status
    if status == 200:
        assert response.json()["username"] == "dutydesk_bot"
        assert bot.token not in response.content.decode()


def test_an_admin_sets_the_token_and_webhook_mode(admin, bot_api, acme):
    response = api_client(admin).put(
        "/api/v1/channels/telegram",
        {"token": bot_api.token, "mode": "webhook", "organization": "acme"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mode"] == "webhook" and body["webhook_url"] == bot_api.webhook["url"]
    assert TelegramBot.objects.get().organization == acme


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "1:wrong"}, "token"),
        ({"token": "123456:TEST-token", "organization": "nope"}, "organization"),
    ],
)
def test_bad_bot_settings_are_a_422_and_change_nothing(admin, bot_api, body, field):
    response = api_client(admin).put(
        "/api/v1/channels/telegram", body, content_type="application/json"
    )
    assert response.status_code == 422 and field in response.json()["errors"]
    assert not TelegramBot.objects.exists()


def test_anyone_signed_in_gets_a_link_code_for_themselves(bot, anna):
    response = api_client(anna).post("/api/v1/channels/telegram/link-code")
    assert response.status_code == 200
    body = response.json()
    assert body["bot"] == "@dutydesk_bot"
    assert TelegramLinkCode.objects.get(code_hash=link_code_hash(body["code"])).user == anna


def test_an_admin_creates_a_phone_integration_and_sees_its_secret_once(admin, acme, anna):
    client = api_client(admin)
    created = client.post(
        "/api/v1/channels/phone/integrations",
        {"name": "Office PBX", "organization": "acme"},
        content_type="application/json",
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert PhoneIntegration.objects.get().secret == secret
    assert "/hooks/phone/" in created.json()["hook_url"]

    listed = client.get("/api/v1/channels/phone/integrations").json()
    assert listed[0]["name"] == "Office PBX" and "secret" not in listed[0]

    patched = client.patch(
        f"/api/v1/channels/phone/integrations/{listed[0]['id']}",
        {"is_active": False},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert api_client(anna).get("/api/v1/channels/phone/integrations").status_code == 403
