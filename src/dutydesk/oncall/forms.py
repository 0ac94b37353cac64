"""Forms of the schedule pages. They check values; who may change what stays in the
services. Date-times are entered in the schedule's zone: the views validate them inside
``timezone.override(zone)``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dutydesk.accounts.models import Team
from dutydesk.core.forms import TimeZoneField
from dutydesk.oncall.models import ShiftUnit

SLOTS = 12  # people per layer the form offers
LOCAL = "%Y-%m-%dT%H:%M"
DAY_CHOICES = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


def _local_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    time_zone = TimeZoneField()

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class LayerForm(forms.Form):
    name = forms.CharField(label=_("Layer name"), max_length=100, required=False)
    level = forms.IntegerField(
        label=_("Level"),
        min_value=0,
        max_value=100,
        help_text=_("Higher wins where it has someone."),
    )
    shift_count = forms.IntegerField(label=_("Shift length"), min_value=1, max_value=365, initial=1)
    shift_unit = forms.ChoiceField(label=_("Unit"), choices=ShiftUnit.choices, initial="days")
    handoff_at = forms.DateTimeField(
        label=_("First handoff"),
        widget=_local_input(),
        input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
        help_text=_("In the schedule's time zone; day and week shifts hand off at this time."),
    )
    restrict_days = forms.MultipleChoiceField(
        label=_("Only on"),
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    restrict_start = forms.TimeField(
        label=_("Window starts"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    restrict_end = forms.TimeField(
        label=_("Window ends"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(pk), name) for pk, name in people)]
        for n in range(SLOTS):
            self.fields[f"p{n}"] = forms.ChoiceField(
                label=_("Person %(n)s") % {"n": n + 1}, choices=choices, required=False
            )

    def slots(self) -> list[forms.BoundField]:
        """The filled slots and three empty ones: enough to add people without clutter."""
        bound = [self[f"p{n}"] for n in range(SLOTS)]
        filled = max((n + 1 for n, b in enumerate(bound) if b.value()), default=0)
        return bound[: min(SLOTS, filled + 3)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        people = [data.get(f"p{n}") for n in range(SLOTS)]
        data["people"] = [int(p) for p in people if p]
        if len(set(data["people"])) != len(data["people"]):
            self.add_error(None, _("Each person once per layer."))
        if data.get("restrict_days") and data.get("restrict_start") is None:
            self.add_error("restrict_start", _("A day restriction needs the window's start."))
        if (data.get("restrict_start") or data.get("restrict_end")) and not data.get(
            "restrict_days"
        ):
            self.add_error("restrict_days", _("Pick the days the window applies to."))
        return data


LayerFormSet = forms.formset_factory(LayerForm, extra=1, can_delete=True, max_num=20)


class OverrideForm(forms.Form):
    start = forms.DateTimeField(
        label=pgettext_lazy("time range", "From"), widget=_local_input(), input_formats=[LOCAL]
    )
    end = forms.DateTimeField(
        label=pgettext_lazy("time range", "To"), widget=_local_input(), input_formats=[LOCAL]
    )
    user = forms.TypedChoiceField(label=_("Who covers"), coerce=int)
    instead_of = forms.TypedChoiceField(
        label=_("Instead of"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only that person's shifts in the range are taken over."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], team: set[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The schedule's team first: that is who usually swaps shifts.
        ours = [p for p in people if p[0] in team]
        others = [p for p in people if p[0] not in team]
        grouped: list[Any] = [(_("The team"), ours), (_("Other staff"), others)] if ours else others
        self.fields["user"].choices = [("", "—"), *grouped]
        self.fields["instead_of"].choices = [("", _("Whoever is on call")), *grouped]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime) and isinstance(end, datetime) and end <= start:
            self.add_error("end", _("Must be after the start."))
        return data
