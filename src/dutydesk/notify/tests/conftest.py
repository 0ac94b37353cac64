"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    inbox.controller = controller
    yield inbox
    controller.stop()


@pytest.fixture
def receiver():
    from dutydesk.notify.tests.receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook_admin(db):
    from dutydesk.accounts.models import Role
    from dutydesk.testing.factories import UserFactory

    return UserFactory(email="root@support.test", name="Root", role=Role.ADMIN)


@pytest.fixture
def subscribe(webhook_admin, receiver):
    """Subscribe the receiver to events (all of them by default); it learns the secret."""
    from dutydesk.notify.webhooks.events import EVENTS
    from dutydesk.notify.webhooks.services import webhook_create

    def make(events=None, **fields):
        created = webhook_create(
            by=webhook_admin,
            name=fields.pop("name", "CRM"),
            url=fields.pop("url", receiver.url),
            events=list(events or EVENTS),
            **fields,
        )
        receiver.secret = created.secret
        return created.subscription

    return make
