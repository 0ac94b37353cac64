from django.urls import reverse

from dutydesk.channels.email.imap import ImapError, connection_test
from dutydesk.channels.email.models import Mailbox


def test_password_is_stored_encrypted_and_reads_back(make_mailbox):
    mailbox = make_mailbox(password="s3cret-pass")
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert "s3cret-pass" not in stored.password_encrypted
    assert stored.password == "s3cret-pass"


def test_password_survives_a_secret_key_change_with_an_encryption_key(settings, make_mailbox):
    settings.ENCRYPTION_KEY = "a dedicated key"
    mailbox = make_mailbox(password="pw")
    settings.SECRET_KEY = "rotated"
    assert Mailbox.objects.get(pk=mailbox.pk).password == "pw"


def test_connection_test_reports_the_servers_answer(make_mailbox):
    answer = connection_test(make_mailbox())
    assert "Dovecot" in answer and "UIDVALIDITY" in answer


def test_connection_test_reports_a_refused_login(make_mailbox):
    mailbox = make_mailbox(password="wrong")
    try:
        connection_test(mailbox)
    except ImapError as exc:
        assert "AUTHENTICATIONFAILED" in str(exc) or "failed" in str(exc).lower()
    else:
        raise AssertionError("a wrong password must fail")


def test_admin_test_connection_action_shows_the_answer(admin_client, make_mailbox):
    mailbox = make_mailbox()
    response = admin_client.post(
        reverse("admin:channels_email_mailbox_changelist"),
        {"action": "test_connection", "_selected_action": [mailbox.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "UIDVALIDITY" in text


def test_admin_saves_a_new_password_encrypted(admin_client, make_mailbox):
    mailbox = make_mailbox()
    data = {
        "name": "Support",
        "host": "127.0.0.1",
        "port": mailbox.port,
        "security": "none",
        "username": mailbox.username,
        "new_password": "changed",
        "folder": mailbox.folder,
        "organization": "",
        "from_address": "support@example.test",
        "after_processing": "seen",
        "processed_folder": "",
        "is_active": "on",
    }
    response = admin_client.post(
        reverse("admin:channels_email_mailbox_change", args=[mailbox.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox.refresh_from_db()
    assert mailbox.password == "changed"
