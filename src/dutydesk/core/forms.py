"""Form fields shared by the workspace's forms."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dutydesk.core.zones import zone_choices


class TimeZoneField(forms.ChoiceField):
    """A time zone picked from the IANA list, grouped by region; the value is its name.

    ``blank`` labels an empty choice (and makes the field optional), for "use the default";
    without it the viewer's current zone is preselected.
    """

    def __init__(self, *, blank: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("required", not blank)
        # The viewer's zone (their own, else their organisation's) is the likely one.
        kwargs.setdefault("initial", "" if blank else timezone.get_current_timezone_name)
        super().__init__(choices=partial(zone_choices, blank) if blank else zone_choices, **kwargs)
