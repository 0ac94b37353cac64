"""Forms of the monitoring workspace pages. They only shape values; the services validate
them (``config_normalize`` per kind, ``_maintenance_errors``) and their errors are put back
next to the fields here."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dutydesk.channels.alerts.models import IntegrationKind, OnResolve
from dutydesk.core.forms import TimeZoneField
from dutydesk.core.zones import zone_or_none
from dutydesk.monitoring.kinds import DNS_TYPES, HTTP_METHODS, ConfigError
from dutydesk.monitoring.models import Kind, Recurrence, State
from dutydesk.tickets.models import Priority

CONFIG_PREFIX = "cfg_"


def _list_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text)


def _port(default: int | None = None, label: Any = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Port"), min_value=1, max_value=65535, initial=default, required=True
    )


def _config_fields(kind: str) -> dict[str, forms.Field]:
    """The configuration fields of a kind, named as in kinds.py (with a prefix)."""
    if kind == Kind.HTTP:
        return {
            "url": forms.CharField(label=_("URL"), max_length=2000),
            "method": forms.ChoiceField(
                label=_("Method"), choices=[(m, m) for m in HTTP_METHODS], initial="GET"
            ),
            "expected_status": _list_field(
                _("Expected status codes"), _("Comma-separated; any 2xx or 3xx when empty.")
            ),
            "keyword": forms.CharField(label=_("Keyword"), required=False, max_length=500),
            "keyword_absent": forms.BooleanField(
                label=_("Fail when the keyword is present"), required=False
            ),
            "max_response_ms": forms.IntegerField(
                label=_("Slowest acceptable answer (ms)"), required=False
            ),
            "follow_redirects": forms.BooleanField(
                label=_("Follow redirects"), required=False, initial=True
            ),
            "verify_tls": forms.BooleanField(
                label=_("Verify the TLS certificate"), required=False, initial=True
            ),
            "headers": forms.CharField(
                label=_("Request headers"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One per line: Name: value"),
            ),
            "body": forms.CharField(
                label=_("Request body"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            ),
        }
    if kind == Kind.TCP:
        return {"host": forms.CharField(label=_("Host"), max_length=253), "port": _port()}
    if kind == Kind.DNS:
        return {
            "name": forms.CharField(label=_("Domain name"), max_length=253),
            "record_type": forms.ChoiceField(
                label=_("Record type"), choices=[(t, t) for t in DNS_TYPES], initial="A"
            ),
            "resolver": forms.CharField(label=_("Resolver"), initial="1.1.1.1", max_length=45),
            "resolver_port": _port(53, _("Resolver port")),
            "expected": _list_field(
                _("Expected values"), _("Comma-separated; any answer when empty.")
            ),
        }
    if kind == Kind.TLS:
        return {
            "host": forms.CharField(label=_("Host"), max_length=253),
            "port": _port(443),
            "server_name": forms.CharField(
                label=_("Server name (SNI)"), required=False, help_text=_("The host when empty.")
            ),
            "warn_days": forms.IntegerField(label=_("Warn days before expiry"), initial=14),
            "verify_chain": forms.BooleanField(
                label=_("Verify the chain"), required=False, initial=True
            ),
            "ca_pem": forms.CharField(
                label=_("Extra CA certificates (PEM)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
        }
    if kind == Kind.DOMAIN:
        return {
            "domain": forms.CharField(label=_("Domain"), max_length=253),
            "warn_days": forms.IntegerField(label=_("Warn days before expiry"), initial=30),
            "rdap_base_url": forms.CharField(
                label=_("RDAP service"), required=False, help_text=_("The default when empty.")
            ),
        }
    return {
        "period_seconds": forms.IntegerField(
            label=_("Expected every (seconds)"), required=False, initial=86400
        ),
        "cron": forms.CharField(
            label=_("Or on a cron schedule"),
            required=False,
            max_length=100,
            help_text=_("For example 0 3 * * * (overrides the period)."),
        ),
        "time_zone": TimeZoneField(),
        "grace_seconds": forms.IntegerField(label=_("Grace time (seconds)"), initial=3600),
    }


LIST_FIELDS = {"expected_status", "expected"}


class CheckForm(forms.Form):
    """Common fields of every check, plus the configuration fields of its kind."""

    organization = forms.ChoiceField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"), max_length=200)
    interval_seconds = forms.IntegerField(label=_("Interval (seconds)"), initial=60)
    timeout_seconds = forms.FloatField(label=_("Timeout (seconds)"), initial=10)
    alert_after = forms.IntegerField(label=_("Failures before alerting"), initial=2)
    recover_after = forms.IntegerField(label=_("Successes before recovery"), initial=1)
    component = forms.CharField(
        label=_("Status page component"),
        required=False,
        max_length=200,
        help_text=_("Shown on the organisation's public status page; hidden when empty."),
    )
    priority = forms.ChoiceField(
        label=_("Incident priority"), choices=Priority.choices, initial=Priority.P2
    )
    resolve_on_recovery = forms.BooleanField(
        label=_("Resolve the incident on recovery"), required=False, initial=True
    )
    is_paused = forms.BooleanField(label=_("Paused"), required=False)

    def __init__(self, *args: Any, kind: str, organizations: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if organizations:
            self.fields["organization"].choices = [(o.slug, o.name) for o in organizations]
        else:
            del self.fields["organization"]
        if kind == Kind.HEARTBEAT:
            # A heartbeat is pinged, not probed: no interval, timeout or failure count.
            for name in ("interval_seconds", "timeout_seconds", "alert_after"):
                del self.fields[name]
        for name, field in _config_fields(kind).items():
            self.fields[CONFIG_PREFIX + name] = field

    def common_names(self) -> list[str]:
        return [n for n in self.fields if not n.startswith(CONFIG_PREFIX)]

    def config_bound(self) -> list:
        return [self[n] for n in self.fields if n.startswith(CONFIG_PREFIX)]

    def common_bound(self) -> list:
        return [self[n] for n in self.common_names() if n != "organization"]

    def config(self) -> dict[str, Any]:
        """The configuration as kinds.py wants it (lists, a header mapping)."""
        data = self.cleaned_data
        config: dict[str, Any] = {}
        for name in self.fields:
            if not name.startswith(CONFIG_PREFIX):
                continue
            key = name[len(CONFIG_PREFIX) :]
            value = data.get(name)
            if key in LIST_FIELDS:
                items = [v.strip() for v in (value or "").split(",") if v.strip()]
                if key == "expected_status":
                    try:
                        items = [int(v) for v in items]
                    except ValueError:
                        self.add_error(name, _("Give numbers separated by commas."))
                        continue
                value = items
            elif key == "headers":
                value = self._headers(name, value or "")
            elif key in ("period_seconds", "max_response_ms") and value is None:
                value = None
            elif isinstance(self.fields[name], forms.CharField):
                value = (value or "").strip()
            config[key] = value
        return config

    def _headers(self, name: str, text: str) -> dict[str, str]:
        headers = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or not key.strip():
                self.add_error(name, _("Write each header as Name: value."))
                return {}
            headers[key.strip()] = value.strip()
        return headers

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            n: data[n]
            for n in self.common_names()
            if n != "organization" and n in data and (data[n] is not None)
        }

    def show_errors(self, exc: ConfigError | ValidationError) -> None:
        """Put a service's errors next to the fields they are about."""
        if isinstance(exc, ConfigError):
            for key, message in exc.errors.items():
                target = CONFIG_PREFIX + key
                self.add_error(target if target in self.fields else None, message)
            return
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, messages in exc.message_dict.items():
            target = key if key in self.fields else None
            for message in messages:
                self.add_error(target, message)

    @staticmethod
    def initial_for(check: Any) -> dict[str, Any]:
        initial = {
            n: getattr(check, n)
            for n in (
                "name",
                "interval_seconds",
                "timeout_seconds",
                "alert_after",
                "recover_after",
                "component",
                "priority",
                "resolve_on_recovery",
                "is_paused",
            )
        }
        for key, value in (check.config or {}).items():
            if key in LIST_FIELDS:
                value = ", ".join(str(v) for v in value)
            elif key == "headers":
                value = "\n".join(f"{k}: {v}" for k, v in (value or {}).items())
            initial[CONFIG_PREFIX + key] = value
        return initial


class CheckFilterForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organisation"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), *State.choices, ("paused", _("Paused"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *Kind.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args: Any, organizations: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            ("", _("All organisations")),
            *((o.slug, o.name) for o in organizations),
        ]


WEEKDAYS = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]


def _zone_ok(name: str) -> zoneinfo.ZoneInfo:
    if (zone := zone_or_none(name)) is None:
        raise ValidationError(_("Unknown time zone."))
    return zone


class MaintenanceForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organisation"))
    target = forms.ChoiceField(
        label=_("Applies to"),
        required=False,
        help_text=_(
            "The whole organisation (every check and alert), one check or one alert integration."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Public description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recurrence = forms.ChoiceField(
        label=_("Recurrence"), choices=Recurrence.choices, initial=Recurrence.ONCE
    )
    time_zone = TimeZoneField()
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("One-off: the window. Recurring: from when it applies."),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    cron = forms.CharField(label=_("Cron expression"), required=False, max_length=100)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), initial=60, min_value=1, max_value=7 * 24 * 60
    )
    is_public = forms.BooleanField(
        label=_("Shown on the status page"), required=False, initial=True
    )

    def __init__(self, *args: Any, organizations: list, targets: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.slug, o.name) for o in organizations]
        self.fields["target"].choices = [("", _("The whole organisation")), *targets]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = data.get("time_zone") or "UTC"
        try:
            zone = _zone_ok(name)
        except ValidationError as exc:
            self.add_error("time_zone", exc)
            return data
        # The browser sends wall-clock times: they are in the window's own zone.
        for key in ("starts_at", "ends_at"):
            value: datetime | None = data.get(key)
            if value is not None:
                data[key] = value.replace(tzinfo=zone)
        return data


class IntegrationForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Source"), choices=IntegrationKind.choices)
    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        help_text=_("Incidents go to this team instead of the organisation's routing."),
    )
    on_resolve = forms.ChoiceField(
        label=_("When the alert resolves"), choices=OnResolve.choices, initial=OnResolve.RESOLVE
    )

    def __init__(self, *args: Any, organizations: list, teams: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.slug, o.name) for o in organizations]
        self.fields["team"].choices = [("", _("Organisation's routing")), *teams]


class StatusGroupForm(forms.Form):
    organization = forms.ChoiceField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=50,
        help_text=_("The page is /status/<organisation>/<address>."),
    )
    components = forms.CharField(
        label=_("Components"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as named on the checks."),
    )

    def __init__(self, *args: Any, organizations: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.slug, o.name) for o in organizations]

    def clean_components(self) -> list[str]:
        text = self.cleaned_data["components"]
        names = []
        for line in text.splitlines():
            if line.strip() and line.strip() not in names:
                names.append(line.strip())
        return names
