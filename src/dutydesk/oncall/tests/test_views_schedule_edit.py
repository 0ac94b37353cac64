"""Creating and editing a schedule with its layers from the workspace: who may, what is
saved (in the schedule's zone), refusals next to the layer, warnings after saving."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse

from dutydesk.core.models import AuditLog
from dutydesk.oncall.models import RotationLayer, Schedule
from dutydesk.oncall.tests.conftest import MSK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=MSK), tick=False):
        yield


def layer_data(n, *, level, people, unit="days", count=1, handoff="2026-11-30T08:00", **extra):
    data = {
        f"layers-{n}-name": extra.pop("name", ""),
        f"layers-{n}-level": level,
        f"layers-{n}-shift_count": count,
        f"layers-{n}-shift_unit": unit,
        f"layers-{n}-handoff_at": handoff,
    }
    for i, person in enumerate(people):
        data[f"layers-{n}-p{i}"] = person.pk
    for key, value in extra.items():
        data[f"layers-{n}-{key}"] = value
    return data


def post_data(team, *layers, initial=0, name="Night and day", zone="Europe/Moscow"):
    data = {
        "name": name,
        "team": team.pk,
        "time_zone": zone,
        "layers-TOTAL_FORMS": len(layers),
        "layers-INITIAL_FORMS": initial,
        "layers-MIN_NUM_FORMS": 0,
        "layers-MAX_NUM_FORMS": 20,
    }
    for layer in layers:
        data |= layer
    return data


def test_only_editors_open_the_form(client, l1_agent, supervisor, l1_schedule):
    client.force_login(l1_agent)
    assert client.get(reverse("oncall-schedule-new")).status_code == 403
    assert client.post(reverse("oncall-schedule-new"), {}).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse("oncall-schedule-new")).status_code == 200
    page = client.get(reverse("oncall-schedule-edit", args=[l1_schedule.pk])).content.decode()
    assert 'value="2026-11-02T08:00"' in page  # the handoff, in the schedule's zone
    assert "Lena" in page and "Nik" in page


def test_a_supervisor_creates_a_day_and_night_schedule(
    client, supervisor, l1_team, l1_agent, night_agent
):
    client.force_login(supervisor)
    data = post_data(
        l1_team,
        layer_data(
            0,
            level=0,
            people=[l1_agent],
            unit="weeks",
            name="Days",
            restrict_days=[str(d) for d in range(7)],
            restrict_start="08:00",
            restrict_end="20:00",
        ),
        layer_data(
            1,
            level=1,
            people=[night_agent, l1_agent],
            name="Nights",
            restrict_days=[str(d) for d in range(7)],
            restrict_start="20:00",
            restrict_end="08:00",
        ),
    )
    response = client.post(reverse("oncall-schedule-new"), data)
    assert response.status_code == 302, response.content.decode()
    schedule = Schedule.objects.get(name="Night and day")
    assert response["Location"] == reverse("oncall-schedule", args=[schedule.pk])
    days, nights = schedule.layers.order_by("level")
    assert days.handoff_at == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert (days.restrict_start, days.restrict_end) == (time(8), time(20))
    assert [m.user for m in nights.members.order_by("position")] == [night_agent, l1_agent]
    assert AuditLog.objects.filter(action="oncall.schedule_created").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Schedule saved." in page
    assert "warning(s) for the next four weeks" in page  # nothing before the first handoff


def test_an_untouched_blank_layer_is_not_saved(client, supervisor, l1_schedule):
    client.force_login(supervisor)
    saved = list(l1_schedule.layers.order_by("level"))
    data = post_data(
        l1_schedule.team,
        *[
            layer_data(
                n,
                level=lay.level,
                people=[m.user for m in lay.members.all()],
                unit=lay.shift_unit,
                handoff="2026-11-02T08:00",
                restrict_days=[str(d) for d in lay.restrict_days],
                restrict_start=lay.restrict_start.strftime("%H:%M"),
                restrict_end=lay.restrict_end.strftime("%H:%M"),
            )
            for n, lay in enumerate(saved)
        ],
        layer_data(2, level=2, people=[]),
        initial=2,
        name="L1 duty renamed",
    )
    response = client.post(reverse("oncall-schedule-edit", args=[l1_schedule.pk]), data)
    assert response.status_code == 302, response.content.decode()
    l1_schedule.refresh_from_db()
    assert l1_schedule.name == "L1 duty renamed"
    assert l1_schedule.layers.count() == 2


def test_a_layer_can_be_removed(client, supervisor, l1_schedule, l1_agent, night_agent):
    client.force_login(supervisor)
    data = post_data(
        l1_schedule.team,
        layer_data(0, level=0, people=[l1_agent], unit="weeks"),
        layer_data(1, level=1, people=[night_agent], DELETE="on"),
        initial=2,
    )
    response = client.post(reverse("oncall-schedule-edit", args=[l1_schedule.pk]), data)
    assert response.status_code == 302
    assert list(
        RotationLayer.objects.filter(schedule=l1_schedule).values_list("level", flat=True)
    ) == [0]


def test_equal_levels_are_refused_and_nothing_changes(client, supervisor, l1_schedule, l1_agent):
    client.force_login(supervisor)
    data = post_data(
        l1_schedule.team,
        layer_data(0, level=3, people=[l1_agent]),
        layer_data(1, level=3, people=[l1_agent]),
        initial=2,
        name="Changed",
    )
    response = client.post(reverse("oncall-schedule-edit", args=[l1_schedule.pk]), data)
    assert response.status_code == 400
    assert "levels must differ" in response.content.decode()
    l1_schedule.refresh_from_db()
    assert l1_schedule.name == "L1 duty" and l1_schedule.layers.count() == 2


def test_a_layer_without_people_is_refused_next_to_it(client, supervisor, l1_schedule, l1_agent):
    client.force_login(supervisor)
    data = post_data(
        l1_schedule.team,
        layer_data(0, level=0, people=[l1_agent]),
        layer_data(1, level=1, people=[]),
        initial=2,
    )
    response = client.post(reverse("oncall-schedule-edit", args=[l1_schedule.pk]), data)
    assert response.status_code == 400
    assert "add at least one person" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("handoff_at", "not a date", "Enter a valid date/time."),
        ("shift_count", "0", "greater than or equal to 1"),
        ("restrict_start", "", "A day restriction needs the window"),
        ("p1", "999999", "Select a valid choice."),
    ],
)
def test_bad_layer_values_get_a_form_error(
    client, supervisor, l1_team, l1_agent, field, value, message
):
    client.force_login(supervisor)
    data = post_data(
        l1_team,
        layer_data(0, level=0, people=[l1_agent], restrict_days=["5"], restrict_start="00:00"),
    )
    data[f"layers-0-{field}"] = value
    response = client.post(reverse("oncall-schedule-new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Schedule.objects.exists()


def test_an_unknown_zone_or_a_skipped_hour_is_a_form_error(client, supervisor, l1_team, l1_agent):
    client.force_login(supervisor)
    data = post_data(l1_team, layer_data(0, level=0, people=[l1_agent]), zone="Mars/Olympus")
    assert client.post(reverse("oncall-schedule-new"), data).status_code == 400
    # 02:30 on 8 March 2026 does not exist in New York.
    data = post_data(
        l1_team,
        layer_data(0, level=0, people=[l1_agent], handoff="2026-03-08T02:30"),
        zone="America/New_York",
    )
    response = client.post(reverse("oncall-schedule-new"), data)
    assert response.status_code == 400
    assert not Schedule.objects.exists()


def test_a_supervisor_deletes_a_schedule(client, supervisor, l1_schedule):
    client.force_login(supervisor)
    response = client.post(reverse("oncall-schedule-delete", args=[l1_schedule.pk]))
    assert response.status_code == 302
    assert not Schedule.objects.exists()
