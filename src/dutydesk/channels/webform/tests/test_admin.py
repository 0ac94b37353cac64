"""The admin pages of web forms: the list, a new form, and a form's link and embed code."""

from __future__ import annotations

import pytest

from dutydesk.channels.webform.models import WebForm
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(email="root@support.test", role="admin", is_superuser=True)
    client.force_login(admin)
    return client


def test_the_list_and_the_add_page_open(admin_client, webform):
    assert admin_client.get("/admin/channels_webform/webform/").status_code == 200
    assert admin_client.get("/admin/channels_webform/webform/add/").status_code == 200


def test_a_form_shows_its_link_and_embed_code(admin_client, webform):
    html = admin_client.get(f"/admin/channels_webform/webform/{webform.pk}/change/").content
    html = html.decode()
    assert f"/forms/{webform.slug}/" in html
    assert "&lt;iframe src=" in html and "data-dutydesk-form" in html
    assert "dutydesk/webform/embed.js" in html


def test_a_new_key_retires_the_old_link(admin_client, webform, client):
    old = webform.slug
    response = admin_client.post(
        "/admin/channels_webform/webform/",
        {"action": "new_key", "_selected_action": [webform.pk]},
    )
    assert response.status_code == 302
    webform.refresh_from_db()
    assert webform.slug != old
    assert admin_client.get(f"/forms/{old}/").status_code == 404


def test_a_bad_origin_is_an_error_next_to_the_field(admin_client, acme):
    response = admin_client.post(
        "/admin/channels_webform/webform/add/",
        {"name": "Site", "allowed_origins": "www.acme.test/contact", "allow_attachments": "on"},
    )
    assert response.status_code == 200
    assert "Not an origin" in response.content.decode()
    assert not WebForm.objects.exists()
