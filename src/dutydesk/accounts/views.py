"""Signing in and out, the one-time email link, the profile and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import LoginView, LogoutView
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from dutydesk.accounts.forms import EmailLinkForm, ProfileForm, SignInForm
from dutydesk.accounts.models import User
from dutydesk.core.services import audit_record
from dutydesk.notify.services import delivery_queue

LINK_SALT = "dutydesk.accounts.email-link"


class _OneTimeLinkTokens(PasswordResetTokenGenerator):
    # The token hashes last_login, so signing in with it spends it.
    key_salt = "dutydesk.accounts.views.OneTimeLinkTokens"


link_tokens = _OneTimeLinkTokens()


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("signin")
    if request.user.is_agent:
        return redirect(reverse("desk:queue") + "?view=mine")
    return redirect("portal:tickets")


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    http_method_names = ["post", "options"]


def email_link_request(request: HttpRequest) -> HttpResponse:
    """Send a one-time sign-in link to a customer; the answer never says whether one exists."""
    form = EmailLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email=form.cleaned_data["email"].strip().lower(), is_active=True, role="customer"
        ).first()
        if user is not None:
            token = signing.dumps(
                {"u": user.pk, "t": link_tokens.make_token(user)}, salt=LINK_SALT, compress=True
            )
            url = settings.BASE_URL + reverse("signin-link-use", args=[token])
            with transaction.atomic():
                delivery_queue(
                    kind="signin_link",
                    recipient=user.email,
                    subject=_("Your DutyDesk sign-in link"),
                    body=render_to_string(
                        "accounts/email/signin_link.txt",
                        {
                            "user": user,
                            "url": url,
                            "minutes": settings.EMAIL_LINK_MAX_AGE_SECONDS // 60,
                        },
                    ),
                )
        return render(request, "accounts/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/link_request.html", {"form": form})


def email_link_use(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button; only the POST signs in, so mail scanners that
    follow links do not spend it."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.EMAIL_LINK_MAX_AGE_SECONDS)
        user = User.objects.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        user = None
    if user is None or not link_tokens.check_token(user, data["t"]):
        return render(request, "accounts/link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit_record(actor=user, action="user.signed_in_by_link", obj=user)
        return redirect("home")
    return render(request, "accounts/link_confirm.html", {"link_user": user})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        _remember_language(response, form.cleaned_data["language"])
        return response
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "nav": "profile", "has_second_factor": user_has_device(request.user)},
    )


def _remember_language(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.HTTPS,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in user keeps it in their profile."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    _remember_language(response, language)
    return response
