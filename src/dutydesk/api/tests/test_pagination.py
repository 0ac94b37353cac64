from datetime import timedelta

import pytest
from django.utils import timezone

from dutydesk.api.errors import ApiError
from dutydesk.api.pagination import decode_cursor, encode_cursor, keyset_page
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db


def test_a_cursor_round_trips_its_key_values():
    moment = timezone.now()
    cursor = encode_cursor([moment, 42])
    assert decode_cursor(cursor, Ticket, ["updated_at", "id"]) == [moment, 42]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        encode_cursor(["yesterday", 1]),
        encode_cursor([timezone.now(), "x"]),
        encode_cursor([timezone.now()]),
        encode_cursor([None, 1]),
        encode_cursor(["2025-01-01T00:00:00", 1]),  # naive: no zone
        "W10",  # []
    ],
)
def test_a_bad_cursor_is_a_422(cursor):
    with pytest.raises(ApiError) as caught:
        decode_cursor(cursor, Ticket, ["updated_at", "id"])
    assert caught.value.status == 422
    assert "cursor" in caught.value.errors


def test_pages_follow_the_keys_with_ties_broken_by_the_last_key(acme, anna):
    tickets = [ingest(inbound(organization=acme)).ticket for _ in range(5)]
    same = timezone.now() - timedelta(hours=1)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[1:4]]).update(updated_at=same)

    seen, cursor = [], None
    while True:
        page = keyset_page(
            Ticket.objects.all(), keys=("-updated_at", "-id"), cursor=cursor, limit=2
        )
        seen += [t.number for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    expected = list(Ticket.objects.order_by("-updated_at", "-id").values_list("number", flat=True))
    assert seen == expected
    assert len(set(seen)) == 5
