"""Two retries of one create racing each other: PostgreSQL only (SQLite serialises writers)."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from dutydesk.accounts.services import api_token_create
from dutydesk.tickets.models import InboundReceipt, Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_retries_with_one_idempotency_key_open_one_ticket(acme, anna):
    _token, raw = api_token_create(user=anna, name="t")
    body = json.dumps({"organization": "acme", "subject": "Site down", "body": "502 everywhere"})
    barrier = threading.Barrier(2)
    responses = []

    def create() -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "k-1"})
            barrier.wait(timeout=10)
            responses.append(client.post("/api/v1/tickets", body, content_type="application/json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code for r in responses] == [201, 201]
    numbers = {r.json()["number"] for r in responses}
    assert len(numbers) == 1
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert Ticket.objects.count() == 1
    assert InboundReceipt.objects.count() == 1
    assert Ticket.objects.get().number in numbers
