import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dutydesk.api.tests.client import ACCESS_MATRIX, api_client, client_as
from dutydesk.testing.factories import inbound
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import Attachment, TicketEvent
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db

LOG = b"2025-03-01 12:00:01 vpn: handshake timeout\n" * 20


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def ticket(acme, anna):
    return ingest(inbound(organization=acme)).ticket


def upload(client, ticket, content=LOG, name="vpn.log"):
    return client.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type="application/x-whatever")},
    )


def download_url(ticket, attachment) -> str:
    return f"/api/v1/tickets/{ticket.number}/attachments/{attachment.pk}"


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_upload_access(request, ticket, globex, caller, access):
    response = upload(client_as(request, caller), ticket)

    expected = {"denied": 401, "hidden": 404, "customer": 201, "staff": 201}[access]
    assert response.status_code == expected, response.content
    assert Attachment.objects.count() == (1 if expected == 201 else 0)


def test_upload_answers_with_the_stored_files_metadata(ticket, l1_agent):
    response = upload(api_client(l1_agent), ticket)

    body = response.json()
    attachment = Attachment.objects.get()
    assert body["id"] == attachment.pk
    assert (body["filename"], body["size"], body["message"]) == ("vpn.log", len(LOG), None)
    assert body["content_type"] == "text/plain"  # sniffed, not what the client claimed
    assert body["download_url"] == download_url(ticket, attachment)
    event = TicketEvent.objects.get(kind="attachment")
    assert (event.actor, event.new_value) == (l1_agent, "vpn.log")


def test_an_uploaded_file_is_listed_on_the_ticket_for_the_client(ticket, l1_agent, anna):
    upload(api_client(l1_agent), ticket)

    attachments = api_client(anna).get(f"/api/v1/tickets/{ticket.number}").json()["attachments"]

    assert [a["filename"] for a in attachments] == ["vpn.log"]


def test_a_file_over_the_attachment_limit_is_a_413(ticket, anna, settings):
    settings.ATTACHMENT_MAX_BYTES = 100

    response = upload(api_client(anna), ticket, content=b"x" * 101)

    assert response.status_code == 413
    assert "at most 100 bytes" in response.json()["detail"]
    assert Attachment.objects.count() == 0


def test_a_body_too_long_to_hold_an_allowed_file_is_refused_before_it_is_read(
    ticket, anna, settings
):
    settings.ATTACHMENT_MAX_BYTES = 100

    response = upload(api_client(anna), ticket, content=b"x" * (200 * 1024))

    assert response.status_code == 413
    assert Attachment.objects.count() == 0


def test_a_missing_file_is_a_422(ticket, anna):
    response = api_client(anna).post(f"/api/v1/tickets/{ticket.number}/attachments", {})

    assert response.status_code == 422
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(("caller", "access"), ACCESS_MATRIX)
def test_download_access(request, acme, anna, globex, caller, access):
    item = InboundAttachment(filename="vpn.log", content=LOG)
    ticket = ingest(inbound(organization=acme, attachments=(item,))).ticket

    response = client_as(request, caller).get(download_url(ticket, ticket.attachments.get()))

    expected = {"denied": 401, "hidden": 404, "customer": 200, "staff": 200}[access]
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == LOG
        assert response["Content-Disposition"] == 'attachment; filename="vpn.log"'
    else:
        assert "detail" in response.json()


def test_a_client_cannot_download_the_files_of_internal_notes(ticket, l1_agent, anna):
    ticket_reply(
        ticket=ticket,
        by=l1_agent,
        body="Their config",
        internal=True,
        attachments=(InboundAttachment(filename="config.txt", content=b"psk=secret"),),
    )
    attachment = Attachment.objects.get()

    assert api_client(anna).get(download_url(ticket, attachment)).status_code == 404
    assert api_client(l1_agent).get(download_url(ticket, attachment)).status_code == 200


def test_an_attachment_is_found_only_under_its_own_ticket(acme, anna, supervisor):
    item = InboundAttachment(filename="vpn.log", content=LOG)
    with_file = ingest(inbound(organization=acme, attachments=(item,))).ticket
    other = ingest(inbound(organization=acme)).ticket

    response = api_client(supervisor).get(download_url(other, with_file.attachments.get()))

    assert response.status_code == 404


def test_a_file_missing_from_storage_is_a_404_not_a_500(ticket, anna):
    upload(api_client(anna), ticket)
    attachment = Attachment.objects.get()
    attachment.file.storage.delete(attachment.file.name)

    response = api_client(anna).get(download_url(ticket, attachment))

    assert response.status_code == 404
