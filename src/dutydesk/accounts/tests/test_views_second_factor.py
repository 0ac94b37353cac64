"""The TOTP second factor for staff, enforced per role by DUTYDESK_OTP_REQUIRED_ROLES."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def code(device):
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:06d}"


def sign_in(client, user):
    return client.post(reverse("signin"), {"username": user.email, "password": "secret"})


def test_a_required_role_must_set_up_an_app_before_the_queue(client, l1_agent, settings):
    settings.OTP_REQUIRED_ROLES = ["agent"]
    sign_in(client, l1_agent)
    response = client.get(reverse("desk:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-setup"))
    page = client.get(reverse("otp-setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=l1_agent)
    response = client.post(reverse("otp-setup"), {"token": "000000", "next": "/desk/"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("otp-setup"), {"token": code(device), "next": "/desk/"})
    assert response["Location"] == "/desk/"
    assert client.get(reverse("desk:queue")).status_code == 200


def test_staff_with_an_app_give_a_code_at_every_sign_in(client, l1_agent):
    device = TOTPDevice.objects.create(user=l1_agent, name="app", confirmed=True)
    sign_in(client, l1_agent)
    response = client.get(reverse("desk:queue"))
    assert response["Location"].startswith(reverse("otp-verify"))
    assert client.post(reverse("otp-verify"), {"token": "123"}).status_code == 200
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("otp-verify"), {"token": code(device), "next": "/desk/"})
    assert response["Location"] == "/desk/"
    assert client.get(reverse("desk:queue")).status_code == 200


def test_customers_are_never_asked_for_a_code(client, anna, settings):
    settings.OTP_REQUIRED_ROLES = ["agent", "customer"]
    sign_in(client, anna)
    assert client.get(reverse("portal:tickets")).status_code == 200


def test_without_the_setting_staff_sign_in_with_a_password(client, l1_agent):
    sign_in(client, l1_agent)
    assert client.get(reverse("desk:queue")).status_code == 200
