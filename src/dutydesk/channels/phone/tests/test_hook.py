"""The phone hook: signed call events become tickets, once each."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import User
from dutydesk.channels.phone.models import PhoneCall, PhoneCallEvent
from dutydesk.notify.models import Delivery, DeliveryStatus
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Message, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db


def _event(event: str, call_id: str = "1700000000.1", **fields) -> dict:
    return {
        "call_id": call_id,
        "event": event,
        "caller": "+7 495 123-45-67",
        "callee": "+7 495 000-00-01",
        "started_at": "2026-11-30T03:00:00+00:00",
        **fields,
    }


def test_a_missed_call_opens_a_call_back_ticket_with_a_short_sla(post_event, acme):
    response = post_event(_event("missed"))

    assert response.status_code == 200
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == "phone"
    assert ticket.subject == "Call back: missed call from +7 495 123-45-67"
    assert (ticket.priority, ticket.type, ticket.category) == ("P2", "request", "call back")
    assert ticket.organization == acme
    assert ticket.requester.email == "phone-74951234567@phone.invalid"
    mail = Delivery.objects.filter(recipient=ticket.requester.email)
    assert set(mail.values_list("status", flat=True)) <= {DeliveryStatus.CANCELLED}


def test_a_call_from_a_known_number_attaches_to_that_contact(post_event, anna):
    anna.phone = "8 (495) 123-45-67"
    anna.save()
    response = post_event(_event("missed"))
    assert Ticket.objects.get(number=response.json()["ticket"]).requester == anna
    assert not User.objects.filter(email__endswith="@phone.invalid").exists()


def test_an_answered_call_opens_a_ticket_assigned_to_the_agent(post_event, l1_agent):
    post_event(_event("ringing"))
    assert not Ticket.objects.exists()

    response = post_event(_event("answered", agent="LENA@support.test"))

    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.assignee == l1_agent and ticket.status == Status.OPEN
    assert "answered by Lena" in ticket.messages.get().body_text


def test_the_end_of_an_answered_call_notes_duration_and_recording(post_event, l1_agent):
    post_event(_event("answered", agent=l1_agent.email))
    url = "https://pbx.example.test/rec/1.wav"
    post_event(_event("ended", agent=l1_agent.email, duration=192, recording_url=url))

    note = Message.objects.get(is_internal=True)
    assert "3:12" in note.body_text and url in note.body_text
    call = PhoneCall.objects.get()
    assert (call.status, call.duration_seconds, call.recording_url) == ("ended", 192, url)


def test_an_answered_call_from_a_contact_with_an_open_ticket_is_a_note_on_it(
    post_event, anna, l1_agent
):
    anna.phone = "+74951234567"
    anna.save()
    open_ticket = ingest(inbound(sender_email=anna.email)).ticket

    response = post_event(_event("answered", agent=l1_agent.email))

    assert response.json()["ticket"] == open_ticket.number
    assert Ticket.objects.count() == 1
    note = open_ticket.messages.get(is_internal=True)
    assert note.author == l1_agent and "Phone call from" in note.body_text


def test_the_same_event_twice_is_a_no_op(post_event):
    first = post_event(_event("missed"))
    again = post_event(_event("missed"))

    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["ticket"] == first.json()["ticket"]
    assert Ticket.objects.count() == 1 and PhoneCallEvent.objects.count() == 1


def test_replies_to_a_contact_without_a_mailbox_are_not_emailed(post_event, l1_agent):
    ticket = Ticket.objects.get(number=post_event(_event("missed")).json()["ticket"])
    ticket_reply(ticket=ticket, by=l1_agent, body="Called you back, all sorted.")
    assert not Delivery.objects.filter(kind="agent_reply").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"secret": "wrong"},
        {"age": 320},
        {"age": -320},
    ],
    ids=["bad-signature", "old-timestamp", "future-timestamp"],
)
def test_bad_signatures_and_stale_timestamps_are_refused(post_event, change):
    response = post_event(_event("missed"), **change)
    assert response.status_code == 401
    assert not PhoneCall.objects.exists() and not Ticket.objects.exists()


def test_an_unsigned_request_is_refused(client, pbx):
    response = client.post(
        f"/hooks/phone/{pbx.token}", data=_event("missed"), content_type="application/json"
    )
    assert response.status_code == 401


def test_an_unknown_or_disabled_token_is_not_found(client, pbx, post_event):
    assert (
        client.post("/hooks/phone/nope", data="{}", content_type="application/json").status_code
        == 404
    )
    pbx.is_active = False
    pbx.save()
    assert post_event(_event("missed")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ([1, 2], "body"),
        ({"event": "missed", "caller": "+1"}, "call_id"),
        ({"call_id": "1", "event": "hangup", "caller": "+1"}, "event"),
        ({"call_id": "1", "event": "missed"}, "caller"),
        ({"call_id": "1", "event": "missed", "caller": "+1", "duration": -5}, "duration"),
        (
            {"call_id": "1", "event": "missed", "caller": "+1", "started_at": "yesterday"},
            "started_at",
        ),
        (
            {"call_id": "1", "event": "missed", "caller": "+1", "recording_url": "ftp://x"},
            "recording_url",
        ),
        ({"call_id": "1", "event": "missed", "caller": "<script>"}, "caller"),
    ],
)
def test_malformed_events_get_a_400_with_the_reason_and_change_nothing(post_event, body, field):
    import json

    response = post_event(body if isinstance(body, str) else json.dumps(body))

    assert response.status_code == 400
    if field:
        assert field in response.json()["errors"]
    assert not PhoneCall.objects.exists() and not Ticket.objects.exists()


def test_a_failure_midway_leaves_nothing_half_created(post_event, monkeypatch):
    from dutydesk.channels.phone import services

    def broken(*args, **kwargs):
        raise services.IntegrityError("disk full")

    monkeypatch.setattr(services.PhoneCallEvent.objects, "create", broken)
    with pytest.raises(services.IntegrityError):
        post_event(_event("missed"))
    assert not PhoneCall.objects.exists() and not Ticket.objects.exists()
