"""The time zone picker: IANA zones grouped by region, validated by choice."""

from __future__ import annotations

from django import forms
from django.utils import translation

from dutydesk.core.forms import TimeZoneField
from dutydesk.core.zones import zone_choices


class ZoneForm(forms.Form):
    zone = TimeZoneField()
    own = TimeZoneField(blank="As the organisation")


def test_zones_are_grouped_by_region_and_stored_by_full_name():
    choices = zone_choices()
    assert choices[0] == ("UTC", "UTC")
    regions = dict(choices[1:])
    assert ("Europe/Moscow", "Moscow") in regions["Europe"]
    assert ("America/New_York", "New York") in regions["America"]
    assert "UTC" not in regions


def test_a_listed_zone_is_accepted_and_the_blank_one_means_the_default():
    form = ZoneForm({"zone": "Asia/Yekaterinburg", "own": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"zone": "Asia/Yekaterinburg", "own": ""}


def test_a_typed_or_unknown_zone_is_refused_with_a_form_error():
    form = ZoneForm({"zone": "Moscow time", "own": "Mars/Olympus"})
    assert not form.is_valid()
    assert set(form.errors) == {"zone", "own"}


def test_the_picker_renders_regions_as_option_groups():
    html = str(ZoneForm()["zone"])
    assert '<optgroup label="Europe">' in html
    assert '<option value="Europe/Moscow">Moscow</option>' in html


def test_the_viewers_zone_is_preselected():
    from django.utils import timezone

    with timezone.override("Europe/Moscow"):
        assert ZoneForm()["zone"].value() == "Europe/Moscow"
    assert ZoneForm()["own"].value() == ""


def test_the_blank_choice_is_labelled_in_the_viewers_language():
    from dutydesk.accounts.forms import ProfileForm

    with translation.override("ru"):
        html = str(ProfileForm()["time_zone"])
    assert '<option value="" selected>Часовой пояс организации</option>' in html
