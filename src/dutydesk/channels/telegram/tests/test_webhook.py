"""Webhook mode: the secret-token header is required; 200 only after the update committed."""

from __future__ import annotations

import json

import pytest

from dutydesk.channels.telegram.models import TelegramBot
from dutydesk.channels.telegram.services import telegram_bot_configure
from dutydesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook_bot(bot_api, acme, supervisor):
    return telegram_bot_configure(
        token=bot_api.token, by=supervisor, organization=acme, mode="webhook"
    )


def _update(update_id: int = 5001, text: str = "Site is down") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 10,
            "date": 1_700_000_000,
            "from": {"id": 321, "is_bot": False, "first_name": "Petr"},
            "chat": {"id": 321, "type": "private"},
            "text": text,
        },
    }


def _post(client, bot: TelegramBot, body, secret: str | None = None):
    return client.post(
        f"/hooks/telegram/{bot.webhook_path}",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers={
            "X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret if secret is None else secret
        },
    )


def test_configuring_webhook_mode_registers_the_url_and_secret(webhook_bot, bot_api, settings):
    assert bot_api.webhook["url"] == (
        f"{settings.BASE_URL}/hooks/telegram/{webhook_bot.webhook_path}"
    )
    assert bot_api.webhook["secret_token"] == webhook_bot.webhook_secret
    stored = TelegramBot.objects.get(pk=1)
    assert bot_api.token not in stored.token_encrypted  # encrypted at rest
    assert stored.token == bot_api.token and stored.username == "dutydesk_bot"


def test_an_update_is_committed_before_the_200(client, webhook_bot):
    response = _post(client, webhook_bot, _update())
    assert response.status_code == 200
    assert Ticket.objects.get().subject == "Site is down"


def test_a_retried_update_is_a_no_op(client, webhook_bot):
    _post(client, webhook_bot, _update())
    response = _post(client, webhook_bot, _update())
    assert response.status_code == 200 and response.json()["status"] == "duplicate"
    assert Message.objects.count() == 1


def test_a_wrong_or_missing_secret_is_refused(client, webhook_bot):
    assert _post(client, webhook_bot, _update(), secret="guess").status_code == 403
    assert _post(client, webhook_bot, _update(), secret="").status_code == 403
    assert not Ticket.objects.exists()


def test_an_unknown_path_is_not_found(client, webhook_bot):
    response = client.post("/hooks/telegram/nope", data="{}", content_type="application/json")
    assert response.status_code == 404


def test_a_body_that_is_not_an_update_is_a_400(client, webhook_bot):
    assert _post(client, webhook_bot, "not json").status_code == 400
    assert _post(client, webhook_bot, {"message": {}}).status_code == 400
    assert not Ticket.objects.exists()


def test_a_bad_token_stores_nothing(bot_api, supervisor):
    from dutydesk.channels.telegram.client import TelegramError

    with pytest.raises(TelegramError):
        telegram_bot_configure(token="1:wrong", by=supervisor)
    assert not TelegramBot.objects.exists()


def test_another_bots_token_starts_a_fresh_update_numbering(bot_api, acme, supervisor, bot):
    from dutydesk.channels.telegram.models import TelegramUpdate

    TelegramUpdate.objects.create(update_id=1000, status="processed")
    bot.update_offset = 1001
    bot.save()
    telegram_bot_configure(token=bot_api.token, by=supervisor, organization=acme)
    assert TelegramUpdate.objects.count() == 1  # the same bot: its numbering goes on

    bot_api.token = "654321:OTHER-bot"
    telegram_bot_configure(token=bot_api.token, by=supervisor, organization=acme)
    assert not TelegramUpdate.objects.exists()
    assert TelegramBot.objects.get(pk=1).update_offset == 0
