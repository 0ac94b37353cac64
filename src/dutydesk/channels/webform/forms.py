"""The public form: its fields follow the form's settings; a hidden honeypot catches bots."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.webform.models import WebForm
from dutydesk.channels.webform.services import TokenInvalid, form_token, form_token_check
from dutydesk.tickets.forms import MultipleFileField

# A field no person sees (hidden by CSS, skipped by keyboard and screen readers); bots that
# fill in every input fill it too.
HONEYPOT = "website"


class SubmissionForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=400)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    message = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What happened, since when, who is affected."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Screenshots, logs; up to 10 files.")
    )
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, webform: WebForm, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.webform = webform
        self.nonce = ""
        self.too_fast = False
        if not webform.ask_phone:
            del self.fields["phone"]
        if not webform.ask_company:
            del self.fields["company"]
        if not webform.allow_attachments:
            del self.fields["attachments"]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        if "phone" in self.fields:
            self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        if "company" in self.fields:
            self.fields["company"].widget.attrs["autocomplete"] = "organization"
        if not self.is_bound:
            self.initial["token"] = form_token(webform)

    def clean(self) -> dict:
        data = super().clean()
        if self.data.get(HONEYPOT):
            raise forms.ValidationError(
                _(
                    "This message looks automated and was not sent. If you are a person, "
                    "please leave the last field empty."
                ),
                code="honeypot",
            )
        token = self.data.get("token", "")
        try:
            self.nonce = form_token_check(self.webform, token)
        except TokenInvalid as exc:
            self.too_fast = exc.too_fast
            raise forms.ValidationError(exc.message, code="token") from None
        return data

    def fresh_token(self) -> None:
        """Give a form shown again after a token error a new token (the old one failed)."""
        data = self.data.copy()
        data["token"] = form_token(self.webform)
        self.data = data
