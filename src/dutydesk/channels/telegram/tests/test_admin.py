"""Admin pages of the channel open for an admin and keep the token out of the page."""

from __future__ import annotations

import pytest

from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(email="root@support.test", role="admin", is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/channels_telegram/telegrambot/",
        "/admin/channels_telegram/telegrambot/1/change/",
        "/admin/channels_telegram/telegramaccount/",
        "/admin/channels_telegram/telegramupdate/",
        "/admin/channels_phone/phoneintegration/",
        "/admin/channels_phone/phoneintegration/add/",
        "/admin/channels_phone/phonecall/",
    ],
)
def test_admin_pages_open(admin_client, bot, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert bot.token not in response.content.decode()


def test_admin_saves_the_bot_with_a_checked_token(admin_client, bot, bot_api, acme):
    response = admin_client.post(
        "/admin/channels_telegram/telegrambot/1/change/",
        {"organization": acme.pk, "mode": "polling", "is_active": "on", "new_token": ""},
    )
    assert response.status_code == 302
    assert bot_api.sent("getMe") and bot_api.sent("deleteWebhook")


def test_admin_refuses_a_token_telegram_does_not_know(admin_client, bot, bot_api, acme):
    response = admin_client.post(
        "/admin/channels_telegram/telegrambot/1/change/",
        {"organization": acme.pk, "mode": "polling", "is_active": "on", "new_token": "1:bad"},
    )
    assert response.status_code == 200 and "refused" in response.content.decode()
