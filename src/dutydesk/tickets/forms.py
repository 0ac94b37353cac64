"""Forms of the portal and of the agent workspace. Values are checked here; the rules
(who may do what) stay in the services and selectors."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import Organization, Team, Tier, User
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.models import Channel, Macro, Priority, Status, TicketType
from dutydesk.tickets.services.macros import macros_for

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(f, initial) for f in files]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)d files at once.") % {"n": MAX_FILES})
        limit = settings.ATTACHMENT_MAX_BYTES
        for f in files:
            if f.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(mb)s MB.")
                    % {"name": f.name, "mb": round(limit / 1024 / 1024, 1)}
                )
        return files


def as_inbound_attachments(files: list[UploadedFile]) -> tuple[InboundAttachment, ...]:
    return tuple(
        InboundAttachment(
            filename=f.name or "", content=f.read(), content_type=f.content_type or ""
        )
        for f in files
    )


def _portal_priorities() -> list[tuple[str, str]]:
    labels = dict(Priority.choices)
    return [(p, labels[p]) for p in Priority.values if p in settings.PORTAL_PRIORITIES]


class PortalTicketForm(forms.Form):
    # A token per form: submitting the same form twice opens one ticket (ingest dedups).
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, since when, what you already tried, who is affected."),
    )
    priority = forms.ChoiceField(label=_("Priority"))
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Screenshots, logs; up to 10 files.")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = _portal_priorities()
        self.fields["priority"].help_text = _(
            "For a complete outage that needs someone right now, call the support line."
        )
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
            default = "P3" if "P3" in settings.PORTAL_PRIORITIES else settings.PORTAL_PRIORITIES[0]
            self.initial.setdefault("priority", default)

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError(_("Please give the ticket a subject."))
        return subject


class ClientReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("body", "").strip() or data.get("attachments")):
            self.add_error("body", _("Write a message or attach a file."))
        return data


class AgentReplyForm(ClientReplyForm):
    KIND_CHOICES = [("reply", _("Reply to client")), ("note", _("Internal note"))]
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class TicketFieldsForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("No team")
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, required=False)


def staff_queryset():
    return User.objects.filter(is_active=True, role__in=["agent", "supervisor", "manager", "admin"])


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_queryset().order_by("name", "email")


class EscalateForm(forms.Form):
    summary = forms.CharField(
        label=_("What is the problem"), widget=forms.Textarea(attrs={"rows": 3})
    )
    steps_taken = forms.CharField(label=_("Steps taken"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.CharField(label=_("Urgency"), max_length=200, required=False)
    to_team = forms.ModelChoiceField(
        label=_("To team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("Next tier's team"),
    )


class MacroForm(forms.Form):
    """A canned reply or macro the agent may use: applied at once, or its text put in the
    reply box to edit first."""

    macro = forms.ModelChoiceField(label=_("Macro"), queryset=Macro.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = macros_for(user=user).order_by("title")


class TicketNumberForm(forms.Form):
    number = forms.IntegerField(label=_("Ticket number"), min_value=1)

    def clean_number(self) -> int:
        return self.cleaned_data["number"]


SORTS = [
    ("updated", _("Last update")),
    ("priority", _("Priority")),
    ("age", _("Oldest first")),
    ("sla", _("SLA due")),
]

VIEWS = [
    ("mine", _("My tickets")),
    ("unassigned", _("Unassigned")),
    ("team", _("My team")),
    ("open", _("All open")),
    ("recent", _("Recently updated")),
]


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any active")), *Status.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any")), *Priority.choices], required=False
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.all(),
        required=False,
        empty_label=_("Any"),
        to_field_name="slug",
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=_("Any"),
        to_field_name="slug",
    )
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", _("Any")), *Tier.choices[1:]], required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any")), *Channel.choices], required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_queryset().order_by("name", "email")


class BulkForm(forms.Form):
    tickets = forms.Field(required=False)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    unassign = forms.BooleanField(required=False)
    status = forms.ChoiceField(choices=[("", "—"), *Status.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "—"), *Priority.choices], required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, to_field_name="slug")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_queryset()

    def clean_tickets(self) -> list[int]:
        raw = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        try:
            numbers = sorted({int(n) for n in raw})
        except ValueError:
            raise forms.ValidationError(_("Invalid ticket number.")) from None
        if not numbers:
            raise forms.ValidationError(_("Select at least one ticket."))
        return numbers[:200]
