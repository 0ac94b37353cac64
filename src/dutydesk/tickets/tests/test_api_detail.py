import pytest

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.core.models import AccessLog
from dutydesk.testing.factories import inbound
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}"


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_access(request, ticket, globex, caller, access):
    response = client_as(request, caller).get(url(ticket))

    expected = {"denied": 401, "hidden": 404, "customer": 200, "staff": 200}[access]
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["number"] == ticket.number
    else:
        assert set(response.json()) == {"detail"}


def test_an_unknown_number_is_a_404(ticket, supervisor):
    assert api_client(supervisor).get("/api/v1/tickets/999999").status_code == 404


def test_detail_has_the_conversation(ticket, l1_agent):
    ticket_reply(ticket=ticket, by=l1_agent, body="Please restart the client.")

    body = api_client(l1_agent).get(url(ticket)).json()

    assert body["subject"] == "VPN does not connect"
    assert [(m["direction"], m["author"]["email"]) for m in body["messages"]] == [
        ("in", "anna@acme.test"),
        ("out", "lena@support.test"),
    ]
    assert body["messages"][1]["body"] == "Please restart the client."
    assert body["messages"][1]["ticket"] == ticket.number


def test_a_customer_never_sees_internal_notes_or_their_files(ticket, l1_agent, boris):
    ticket_reply(
        ticket=ticket,
        by=l1_agent,
        body="Client is on the old VPN profile.",
        internal=True,
        attachments=(InboundAttachment(filename="diag.txt", content=b"secret"),),
    )

    customer_view = api_client(boris).get(url(ticket)).json()
    staff_view = api_client(l1_agent).get(url(ticket)).json()

    assert [m["internal"] for m in customer_view["messages"]] == [False]
    assert "old VPN profile" not in str(customer_view)
    assert customer_view["attachments"] == []
    assert [m["internal"] for m in staff_view["messages"]] == [False, True]
    assert [a["filename"] for a in staff_view["attachments"]] == ["diag.txt"]


def test_attachments_come_with_metadata_and_download_urls(acme, anna):
    ticket = ingest(
        inbound(
            organization=acme,
            attachments=(
                InboundAttachment(filename="screen.png", content=b"\x89PNG\r\n\x1a\n" + b"0" * 50),
            ),
        )
    ).ticket

    attachment = api_client(anna).get(url(ticket)).json()["attachments"][0]

    assert attachment["filename"] == "screen.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["size"] == 58
    assert attachment["message"] == ticket.messages.get().pk
    assert attachment["url"] == f"/attachments/{attachment['id']}/screen.png"
    assert attachment["download_url"] == (
        f"/api/v1/tickets/{ticket.number}/attachments/{attachment['id']}"
    )


def test_reading_a_ticket_is_recorded(ticket, boris):
    api_client(boris).get(url(ticket))

    record = AccessLog.objects.get()
    assert (record.user, record.object_id, record.via) == (boris, str(ticket.pk), "api")


def test_a_refused_read_is_not_recorded(ticket, gina):
    api_client(gina).get(url(ticket))
    assert not AccessLog.objects.exists()
