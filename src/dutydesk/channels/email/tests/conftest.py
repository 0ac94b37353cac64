"""A throwaway Dovecot IMAP server for the test session (../shared/TESTING.md) and helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dutydesk.channels.email.dovecot import PASSWORD, USER, Dovecot, free_port
from dutydesk.channels.email.models import Mailbox, Security

# The outbox's SMTP server on loopback (aiosmtpd), shared with the notify tests.
from dutydesk.notify.tests.conftest import smtp_server  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
__all__ = ["eml", "free_port"]


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def dovecot():
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot-imapd is not installed")
    server = Dovecot.start()
    yield server
    server.stop()


@pytest.fixture
def make_mailbox(dovecot, db):
    def make(organization=None, *, folder: str | None = None, password: str = PASSWORD, **fields):
        mailbox = Mailbox(
            name=fields.pop("name", "Support"),
            host="127.0.0.1",
            port=dovecot.port,
            security=Security.NONE,
            username=USER,
            folder=folder or dovecot.new_folder(),
            organization=organization,
            from_address=fields.pop("from_address", "support@example.test"),
            **fields,
        )
        mailbox.password = password
        mailbox.save()
        return mailbox

    return make
