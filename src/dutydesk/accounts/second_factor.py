"""The second sign-in factor for staff: a TOTP app, required per role by a setting or
whenever the person has set one up."""

from __future__ import annotations

from collections.abc import Callable

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from dutydesk.accounts.forms import OtpTokenForm
from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record

# Pages a signed-in person can open before the second factor is given.
OPEN_PREFIXES = ("/login/", "/logout/", "/language/", "/static/", "/api/", "/healthz")


def second_factor_required(user: User) -> bool:
    if not (user.is_authenticated and user.is_agent):
        return False
    return user.role in settings.OTP_REQUIRED_ROLES or user_has_device(user)


class SecondFactorMiddleware:
    """Sends staff who owe a code to the code page (or to set up their app) first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and second_factor_required(user)
            and not user.is_verified()
        ):
            target = "otp-verify" if user_has_device(user) else "otp-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else reverse("home")


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect("otp-setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("This code is not right or has expired."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the code, type the six digits it shows."""
    user = request.user
    if not user.is_agent:
        raise PermissionDenied
    if user_has_device(user) and not user.is_verified():
        return redirect("otp-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="DutyDesk", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                audit_record(actor=user, action="user.second_factor_added", obj=user)
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next(request))
        form.add_error("token", _("This code is not right or has expired."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": image.to_string(encoding="unicode"),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
            "next": _next(request),
        },
    )
