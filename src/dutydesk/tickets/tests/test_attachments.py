import pytest
from django.urls import reverse

from dutydesk.testing.factories import inbound
from dutydesk.tickets.errors import InboundRejected
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import Attachment
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def attachment(acme, anna):
    item = InboundAttachment(filename="screen.txt", content=PNG)  # the name lies; bytes decide
    ticket = ingest(inbound(organization=acme, attachments=(item,))).ticket
    return ticket.attachments.get()


def _url(attachment: Attachment) -> str:
    return reverse("attachment-download", args=[attachment.pk, attachment.filename])


def test_content_type_is_sniffed_from_the_bytes(attachment):
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    assert attachment.message is not None


def test_oversized_attachment_is_rejected_and_nothing_is_written(acme, anna, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(InboundRejected):
        ingest(inbound(organization=acme, attachments=(InboundAttachment("a.bin", b"x" * 11),)))
    assert not Attachment.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, attachment):
    response = client.get(_url(attachment))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_customer_of_another_organisation_gets_404(client, attachment, gina):
    client.force_login(gina)
    assert client.get(_url(attachment)).status_code == 404


def test_agent_of_another_team_gets_404(client, attachment, l2_agent):
    client.force_login(l2_agent)
    assert client.get(_url(attachment)).status_code == 404


@pytest.mark.parametrize("who", ["anna", "boris", "l1_agent", "supervisor"])
def test_people_who_see_the_ticket_can_download(client, attachment, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert "sandbox" in response["Content-Security-Policy"]


def test_attachment_of_an_internal_note_is_hidden_from_the_client(
    client, attachment, anna, l1_agent
):
    note = ticket_reply(
        ticket=attachment.ticket,
        by=l1_agent,
        body="log",
        internal=True,
        attachments=(InboundAttachment("log.txt", b"secret log"),),
    )
    hidden = note.attachments.get()
    client.force_login(anna)
    assert client.get(_url(hidden)).status_code == 404
    client.force_login(l1_agent)
    assert client.get(_url(hidden)).status_code == 200
