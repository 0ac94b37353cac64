from __future__ import annotations

import pytest

from dutydesk.channels.telegram.models import TelegramBot
from dutydesk.channels.telegram.tests.standin import BotApiStandIn


@pytest.fixture
def bot_api(settings):
    """A Bot API stand-in on loopback, and DutyDesk pointed at it."""
    standin = BotApiStandIn().start()
    settings.TELEGRAM_API_URL = standin.url
    settings.TELEGRAM_LONG_POLL_SECONDS = 0
    settings.TELEGRAM_POLL_SECONDS = 120  # with no long poll, a poll ends when drained
    yield standin
    standin.stop()


@pytest.fixture
def bot(db, bot_api, acme):
    """The installation's bot; unlinked clients' tickets go to acme."""
    bot = TelegramBot(pk=1, organization=acme, username="dutydesk_bot")
    bot.token = bot_api.token
    bot.save()
    return bot
