"""Signing in and out, lockout, the email link, language and profile, security headers."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password="secret"):
    return client.post(reverse("signin"), {"username": email, "password": password})


def test_a_customer_signs_in_and_lands_in_the_portal(client, anna):
    response = sign_in(client, "ANNA@acme.test")
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse(
        "portal:tickets"
    )


def test_an_agent_lands_in_their_queue(client, l1_agent):
    response = sign_in(client, l1_agent.email)
    final = client.get(response["Location"], follow=True).redirect_chain[-1][0]
    assert final.startswith(reverse("desk:queue"))


def test_a_wrong_password_is_an_error_on_the_form(client, anna):
    response = sign_in(client, anna.email, "nope")
    assert response.status_code == 200
    assert "not right" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, anna, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, anna.email, "wrong")
    response = sign_in(client, anna.email)  # even the right password now
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_sign_out_needs_post(client, anna):
    client.force_login(anna)
    assert client.get(reverse("signout")).status_code == 405
    assert client.post(reverse("signout")).status_code == 302
    assert client.get(reverse("portal:tickets")).status_code == 302


def test_forms_need_the_csrf_token(anna):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("signin"), {"username": anna.email, "password": "secret"})
    assert response.status_code == 403
    assert "form expired" in response.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    policy = client.get(reverse("signin"))["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script


def test_pages_have_no_inline_script(client, anna):
    client.force_login(anna)
    content = client.get(reverse("portal:new")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", content)
    assert " onclick=" not in content


def test_an_unknown_page_is_a_friendly_404(client, anna):
    client.force_login(anna)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "could not find" in response.content.decode()


def test_the_language_follows_the_profile_then_the_browser_then_the_organisation(
    client, anna, acme
):
    client.force_login(anna)
    url = reverse("portal:tickets")
    acme.language = "ru"
    acme.save()
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").headers["Content-Language"] == "en"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="").headers["Content-Language"] == "ru"
    anna.language = "en"
    anna.save()
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ru").headers["Content-Language"] == "en"


def test_the_switcher_saves_the_language_in_the_profile(client, anna):
    client.force_login(anna)
    response = client.post(reverse("language"), {"language": "ru", "next": "/portal/"})
    assert response["Location"] == "/portal/"
    anna.refresh_from_db()
    assert anna.language == "ru"


def test_the_switcher_refuses_foreign_redirects(client):
    response = client.post(reverse("language"), {"language": "ru", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_profile_saves_name_language_and_time_zone(client, anna):
    client.force_login(anna)
    assert client.get(reverse("profile")).status_code == 200
    response = client.post(
        reverse("profile"),
        {"name": "Anna K", "phone": "", "language": "ru", "time_zone": "Europe/Moscow"},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.name, anna.language, anna.time_zone) == ("Anna K", "ru", "Europe/Moscow")
    assert anna.notify_email is False  # an unticked box


def test_staff_choose_to_hear_only_about_their_own_tickets(client, l1_agent):
    client.force_login(l1_agent)
    client.post(
        reverse("profile"),
        {
            "name": "Lena",
            "language": "",
            "time_zone": "",
            "notify_email": "on",
            "notify_assigned_only": "on",
        },
    )
    l1_agent.refresh_from_db()
    assert (l1_agent.notify_email, l1_agent.notify_assigned_only) == (True, True)


def test_profile_refuses_an_unknown_time_zone(client, anna):
    client.force_login(anna)
    response = client.post(
        reverse("profile"), {"name": "A", "language": "", "time_zone": "Mars/Base"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_profile_needs_sign_in(client):
    assert client.get(reverse("profile"))["Location"].startswith(reverse("signin"))


def test_an_email_link_signs_a_customer_in_once(client, anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signin-link"), {"email": anna.email})
    assert response.status_code == 200
    link = re.search(r"http://\S+/login/link/\S+/", mail.outbox[-1].body).group(0)
    path = (
        link.split("localhost:8000", 1)[-1]
        if "localhost:8000" in link
        else "/" + link.split("/", 3)[3]
    )
    assert client.get(path).status_code == 200  # a confirmation button, not yet signed in
    assert client.post(path).status_code == 302
    assert client.get(reverse("portal:tickets")).status_code == 200
    client.post(reverse("signout"))
    assert client.post(path).status_code == 400  # spent


def test_an_email_link_is_not_sent_for_unknown_or_staff_addresses(
    client, l1_agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signin-link"), {"email": "nobody@x.test"})
        client.post(reverse("signin-link"), {"email": l1_agent.email})
    assert mail.outbox == []


def test_a_tampered_link_is_refused(client):
    assert client.get(reverse("signin-link-use", args=["garbage"])).status_code == 400


def test_the_home_page_sends_visitors_to_sign_in(client):
    assert client.get("/")["Location"] == reverse("signin")


def test_inactive_accounts_cannot_sign_in(client, acme):
    UserFactory(email="gone@acme.test", role="customer", organization=acme, is_active=False)
    assert sign_in(client, "gone@acme.test").status_code == 200
