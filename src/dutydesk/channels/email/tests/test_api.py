"""/api/v1/channels/mailboxes: admins only; passwords go in, never come out."""

import pytest

from dutydesk.accounts.models import Role
from dutydesk.api.tests.client import api_client
from dutydesk.channels.email.models import Mailbox, QuarantineStatus
from dutydesk.channels.email.services import email_receive
from dutydesk.channels.email.tests.conftest import eml
from dutydesk.testing.factories import UserFactory

BASE = "/api/v1/channels/mailboxes"
QBASE = "/api/v1/channels/quarantine"


@pytest.fixture
def admin(db):
    return UserFactory(email="root@support.test", role=Role.ADMIN)


def _new(dovecot, **fields):
    from dutydesk.channels.email.dovecot import PASSWORD, USER

    return {
        "name": "Support",
        "host": "127.0.0.1",
        "port": dovecot.port,
        "security": "none",
        "username": USER,
        "password": PASSWORD,
        "folder": dovecot.new_folder(),
        "from_address": "support@example.test",
        **fields,
    }


@pytest.mark.parametrize("caller", ["anonymous", "anna", "l1_agent", "supervisor"])
def test_only_admins_reach_mailboxes(request, caller, make_mailbox):
    make_mailbox()
    user = None if caller == "anonymous" else request.getfixturevalue(caller)
    response = api_client(user).get(BASE)
    assert response.status_code == (401 if user is None else 403)
    assert "detail" in response.json()


def test_admin_creates_a_mailbox_and_the_password_never_comes_back(admin, dovecot, acme):
    client = api_client(admin)
    response = client.post(
        BASE, _new(dovecot, organization="acme"), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == "acme" and "password" not in str(body).lower()
    assert Mailbox.objects.get(pk=body["id"]).password == "secret"
    listed = client.get(BASE).json()
    assert [m["id"] for m in listed] == [body["id"]]


def test_test_connection_reports_the_servers_answer(admin, make_mailbox):
    good, bad = make_mailbox(), make_mailbox(password="nope")
    client = api_client(admin)
    ok = client.post(f"{BASE}/{good.pk}/test").json()
    assert ok["ok"] and "UIDVALIDITY" in ok["answer"]
    refused = client.post(f"{BASE}/{bad.pk}/test").json()
    assert not refused["ok"] and refused["answer"]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"security": "ssl3"}, "security"),
        ({"after_processing": "move", "processed_folder": ""}, "processed_folder"),
        ({"port": 0}, "port"),
        ({"organization": "nobody"}, "organization"),
    ],
)
def test_bad_settings_are_a_422_and_change_nothing(admin, make_mailbox, change, field):
    mailbox = make_mailbox()
    response = api_client(admin).patch(
        f"{BASE}/{mailbox.pk}", change, content_type="application/json"
    )
    assert response.status_code == 422 and field in response.json()["errors"]
    assert Mailbox.objects.get(pk=mailbox.pk).security == mailbox.security


def test_unknown_fields_and_bad_types_are_422(admin, make_mailbox):
    mailbox = make_mailbox()
    client = api_client(admin)
    assert (
        client.patch(
            f"{BASE}/{mailbox.pk}", {"pasword": "x"}, content_type="application/json"
        ).status_code
        == 422
    )
    assert (
        client.patch(
            f"{BASE}/{mailbox.pk}", {"port": "x"}, content_type="application/json"
        ).status_code
        == 422
    )
    assert client.get(f"{BASE}/999999").status_code == 404


def test_patch_changes_the_password_and_delete_removes(admin, make_mailbox):
    mailbox = make_mailbox()
    client = api_client(admin)
    response = client.patch(
        f"{BASE}/{mailbox.pk}", {"password": "new"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Mailbox.objects.get(pk=mailbox.pk).password == "new"
    assert client.delete(f"{BASE}/{mailbox.pk}").status_code == 204
    assert not Mailbox.objects.exists()


def test_quarantine_list_reprocess_and_discard(admin, acme):
    held = email_receive(raw=eml("malformed.eml"), mailbox=None).quarantined
    raw = eml("alternative.eml").replace(b"anna@acme.test", b"zed@later.test")
    later = email_receive(raw=raw, mailbox=None).quarantined
    client = api_client(admin)
    listed = client.get(f"{QBASE}").json()
    assert {i["reason"] for i in listed} == {"unparsable", "unroutable"}
    acme.email_domains = "acme.test,later.test"
    acme.save()
    assert client.post(f"{QBASE}/{later.pk}/reprocess").json() == {"outcome": "ticket"}
    assert client.post(f"{QBASE}/{held.pk}/discard").status_code == 204
    held.refresh_from_db()
    assert held.status == QuarantineStatus.DISCARDED
    assert client.get(f"{QBASE}?status=bogus").status_code == 422


def test_customers_cannot_touch_the_quarantine(anna, db):
    item = email_receive(raw=eml("malformed.eml"), mailbox=None).quarantined
    assert api_client(anna).post(f"{QBASE}/{item.pk}/discard").status_code == 403
