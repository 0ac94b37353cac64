"""Two sends of one form at the same moment: PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from dutydesk.accounts.models import User
from dutydesk.channels.webform.tests.conftest import token_of
from dutydesk.tickets.models import Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_from_a_new_contact_opens_one_ticket(webform):
    url = f"/forms/{webform.slug}/"
    token = token_of(Client().get(url).content.decode())
    data = {
        "token": token,
        "name": "Nina Novak",
        "email": "nina@acme.test",
        "subject": "Printer offline",
        "message": "Offline since 9:00.",
        "website": "",
    }
    barrier = threading.Barrier(2)
    responses = []

    def send() -> None:
        try:
            client = Client(REMOTE_ADDR="10.9.9.9")
            barrier.wait(timeout=10)
            responses.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code for r in responses] == [200, 200]
    assert Ticket.objects.count() == 1
    assert User.objects.filter(email="nina@acme.test").count() == 1
    reference = Ticket.objects.get().reference
    assert all(reference in r.content.decode() for r in responses)
