from django.urls import reverse

from dutydesk.accounts.models import Role
from dutydesk.channels.email.models import QuarantineReason, QuarantineStatus
from dutydesk.channels.email.services import email_receive
from dutydesk.channels.email.tests.conftest import eml
from dutydesk.testing.factories import UserFactory


def _held(raw):
    return email_receive(raw=raw, mailbox=None).quarantined


def test_admin_lists_quarantined_mail_with_its_reason_and_raw_text(admin_client):
    item = _held(eml("malformed.eml"))
    listing = admin_client.get(reverse("admin:channels_email_quarantinedmessage_changelist"))
    assert str(QuarantineReason.UNPARSABLE.label) in listing.content.decode()
    page = admin_client.get(
        reverse("admin:channels_email_quarantinedmessage_change", args=[item.pk])
    )
    assert "just bytes" in page.content.decode()


def test_admin_reprocess_action_files_the_mail_once_it_can_be_routed(admin_client, acme):
    raw = eml("alternative.eml").replace(b"anna@acme.test", b"zed@later.test")
    item = _held(raw)
    acme.email_domains = "acme.test,later.test"
    acme.save()
    admin_client.post(
        reverse("admin:channels_email_quarantinedmessage_changelist"),
        {"action": "reprocess", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPROCESSED and item.ticket.organization == acme


def test_admin_discard_action_keeps_the_record(admin_client, db):
    item = _held(eml("malformed.eml"))
    admin_client.post(
        reverse("admin:channels_email_quarantinedmessage_changelist"),
        {"action": "discard", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert item.status == QuarantineStatus.DISCARDED


def test_managers_who_are_not_admins_cannot_see_the_quarantine(client, db):
    _held(eml("malformed.eml"))
    client.force_login(UserFactory(email="mia@support.test", role=Role.MANAGER))
    response = client.get(reverse("admin:channels_email_quarantinedmessage_changelist"))
    assert response.status_code in (302, 403)
