"""Forms of the escalation policy editor and of the shift note; they turn input into the
plain dicts ``services.policy_create``/``policy_update`` take."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dutydesk.accounts.models import STAFF_ROLES, Team, User
from dutydesk.oncall.models import EscalationPolicy, Fallback, Schedule, StepChannel, Target

MAX_WAIT = 24 * 60  # a step waits at most a day: a longer wait means the chain never goes on
MAX_REPEAT = 20


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    repeat = forms.IntegerField(
        label=_("Repeat the chain"),
        min_value=0,
        max_value=MAX_REPEAT,
        help_text=_("Times the whole chain runs again while nobody acknowledges."),
    )
    fallback = forms.ChoiceField(label=_("When a step finds nobody"), choices=Fallback.choices)

    @classmethod
    def for_policy(cls, policy: EscalationPolicy | None, data: Any = None) -> PolicyForm:
        initial = {"name": "", "repeat": 2, "fallback": Fallback.TEAM}
        if policy is not None:
            initial = {"name": policy.name, "repeat": policy.repeat, "fallback": policy.fallback}
        return cls(data, initial=initial)


class StepForm(forms.Form):
    target = forms.ChoiceField(label=_("Notify"), choices=[("", "—"), *Target.choices])
    schedule = forms.ModelChoiceField(
        label=_("Schedule"), queryset=Schedule.objects.none(), required=False
    )
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    channel = forms.ChoiceField(label=_("By"), choices=StepChannel.choices, initial=StepChannel.ALL)
    wait_minutes = forms.IntegerField(
        label=_("Then wait (minutes)"), min_value=0, max_value=MAX_WAIT, initial=5
    )

    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = choices or {}
        for name in ("schedule", "user", "team"):
            field = self.fields[name]
            field.queryset = choices.get(name, field.queryset)  # type: ignore[attr-defined]
            # One query per formset, not per form: the choices are evaluated once.
            if name in choices:
                field.choices = choices[f"{name}_choices"]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {Target.SCHEDULE: "schedule", Target.USER: "user", Target.TEAM: "team"}
        name = needed.get(data.get("target"))  # type: ignore[call-overload]
        if name and not data.get(name):
            self.add_error(name, _("Choose one for this step."))
        return data

    def as_step(self) -> dict[str, Any]:
        data = self.cleaned_data
        step: dict[str, Any] = {
            "target": data["target"],
            "channel": data["channel"],
            "wait_minutes": data["wait_minutes"],
        }
        if data["target"] == Target.SCHEDULE:
            step["schedule"] = data["schedule"].pk
        elif data["target"] == Target.USER:
            step["user"] = data["user"].email
        elif data["target"] == Target.TEAM:
            step["team"] = data["team"].slug
        return step


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        schedules = Schedule.objects.select_related("team").order_by("team__name", "name")
        users = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("name", "email")
        teams = Team.objects.order_by("name")
        self.choices = {"schedule": schedules, "user": users, "team": teams}
        for name, qs in list(self.choices.items()):
            label = (lambda o: f"{o.name} ({o.team.name})") if name == "schedule" else str
            if name == "user":
                label = lambda o: f"{o.display_name} <{o.email}>"  # noqa: E731
            self.choices[f"{name}_choices"] = [("", "—")] + [(o.pk, label(o)) for o in qs]
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices}

    def steps(self) -> list[dict[str, Any]]:
        """The kept steps in the order the editor gave them."""
        # ordered_forms leaves out deleted forms and the untouched blank one.
        return [f.as_step() for f in self.ordered_forms]  # type: ignore[attr-defined]


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=1, can_delete=True, can_order=True, max_num=20
)


def step_initial(policy: EscalationPolicy | None) -> list[dict[str, Any]]:
    if policy is None:
        return []
    return [
        {
            "target": s.target,
            "schedule": s.schedule_id,
            "user": s.user_id,
            "team": s.team_id,
            "channel": s.channel,
            "wait_minutes": s.wait_minutes,
            "ORDER": n + 1,
        }
        for n, s in enumerate(policy.steps.order_by("position", "pk"))
    ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the next shift"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
