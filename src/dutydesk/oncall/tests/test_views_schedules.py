"""Schedule pages of the workspace: access, the list with who is on call now (query count),
the week and month calendar, overrides from the page, feeds and fairness."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse

from dutydesk.oncall.models import Override, Schedule
from dutydesk.oncall.tests.conftest import MSK, layer
from dutydesk.testing.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        yield


def urls(schedule):
    return [
        reverse("oncall-schedules"),
        reverse("oncall-schedule", args=[schedule.pk]),
        reverse("oncall-schedule", args=[schedule.pk]) + "?view=month",
        reverse("oncall-schedule-fairness", args=[schedule.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, l1_schedule):
    for url in [*urls(l1_schedule), reverse("oncall-schedule-edit", args=[l1_schedule.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signin"))


def test_customers_get_403_everywhere(client, l1_schedule, anna):
    client.force_login(anna)
    for url in [*urls(l1_schedule), reverse("oncall-schedule-new")]:
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("oncall-schedule-override", args=[l1_schedule.pk])).status_code == 403
    )
    assert "On call" not in client.get(reverse("portal:tickets")).content.decode()


def test_staff_of_the_team_read_every_page(client, l1_schedule, l1_agent):
    client.force_login(l1_agent)
    for url in urls(l1_schedule):
        assert client.get(url).status_code == 200, url


def test_an_agent_of_another_team_reads_but_cannot_edit(client, l1_schedule, l2_agent, l1_agent):
    client.force_login(l2_agent)
    assert client.get(reverse("oncall-schedule", args=[l1_schedule.pk])).status_code == 200
    assert client.get(reverse("oncall-schedule-edit", args=[l1_schedule.pk])).status_code == 403
    assert client.get(reverse("oncall-schedule-new")).status_code == 403
    assert client.post(reverse("oncall-schedule-delete", args=[l1_schedule.pk])).status_code == 403
    rotate = reverse("oncall-schedule-feed-rotate", args=[l1_schedule.pk])
    assert client.post(rotate).status_code == 403
    override = Override.objects.create(
        schedule=l1_schedule,
        user=l1_agent,
        start=WEDNESDAY_NOON,
        end=WEDNESDAY_NOON.replace(hour=18),
    )
    delete = reverse("oncall-schedule-override-delete", args=[l1_schedule.pk, override.pk])
    assert client.post(delete).status_code == 403
    assert Schedule.objects.filter(pk=l1_schedule.pk).exists()
    assert Override.objects.filter(pk=override.pk).exists()


def test_an_unknown_schedule_is_404(client, l1_agent):
    client.force_login(l1_agent)
    assert client.get(reverse("oncall-schedule", args=[999])).status_code == 404


def test_the_nav_shows_on_call_to_staff(client, l1_agent):
    client.force_login(l1_agent)
    page = client.get(reverse("oncall-schedules")).content.decode()
    assert f'href="{reverse("oncall-schedules")}" aria-current="page"' in page


def test_the_list_shows_who_is_on_call_now_in_a_fixed_number_of_queries(
    client, l1_schedule, l2_schedule, l1_agent, django_assert_max_num_queries
):
    client.force_login(l1_agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("oncall-schedules"))
    page = response.content.decode()
    assert "L1 duty" in page and "L2 duty" in page
    # Wednesday noon: Lena holds the L1 days (08–20), Nik the nights after.
    assert "<strong>Lena</strong>" in page and "until Wed 20:00" in page
    for n in range(4):
        team = TeamFactory(slug=f"extra{n}")
        extra = Schedule.objects.create(team=team, name=f"Extra {n}")
        layer(extra, 0, [UserFactory(role="agent", teams=[team])], unit="weeks")
    with django_assert_max_num_queries(8):
        assert "Extra 3" in client.get(reverse("oncall-schedules")).content.decode()


def test_the_week_shows_layers_overrides_final_and_gaps(client, l1_team, l1_agent, supervisor):
    schedule = Schedule.objects.create(team=l1_team, name="Days only")
    layer(schedule, 0, [l1_agent], unit="weeks", days=range(7), start=time(8), end=time(20))
    client.force_login(supervisor)
    page = client.get(reverse("oncall-schedule", args=[schedule.pk])).content.decode()
    assert "23 Nov – 29 Nov 2026" in page
    assert "Overrides" in page and "On call" in page
    assert "8 gaps in coverage in this period." in page
    assert "Nobody is on call from 2026-11-25 20:00 to 2026-11-26 08:00." in page
    # The gap of the night is a link that fills the override form with its range.
    assert "ov_start=2026-11-25T20%3A00&amp;ov_end=2026-11-26T08%3A00#override" in page


def test_the_month_and_its_neighbours(client, l1_schedule, l1_agent):
    client.force_login(l1_agent)
    url = reverse("oncall-schedule", args=[l1_schedule.pk])
    page = client.get(url + "?view=month&start=2026-11-25").content.decode()
    assert "November 2026" in page
    assert "start=2026-10-01" in page and "start=2026-12-01" in page
    assert client.get(url + "?view=month&start=garbage").status_code == 200


def test_the_viewers_zone_is_mentioned_when_it_differs(client, l1_schedule, l1_agent):
    l1_agent.time_zone = "Asia/Yekaterinburg"
    l1_agent.save()
    client.force_login(l1_agent)
    page = client.get(reverse("oncall-schedule", args=[l1_schedule.pk])).content.decode()
    assert "yours is Asia/Yekaterinburg" in page and "hover a shift for your time" in page
    assert "your time 10:00–22:00" in page  # the 08–20 day shift, two hours later


def test_clicking_a_shift_fills_the_override_form(client, l1_schedule, l1_agent):
    client.force_login(l1_agent)
    url = reverse("oncall-schedule", args=[l1_schedule.pk])
    page = client.get(
        url + f"?ov_start=2026-11-26T08:00&ov_end=2026-11-26T20:00&ov_instead={l1_agent.pk}"
    ).content.decode()
    assert 'value="2026-11-26T08:00"' in page and 'value="2026-11-26T20:00"' in page
    # The team's people are offered first.
    picker = page[page.index('<select name="user"') :]
    picker = picker[: picker.index("</select>")]
    assert (
        picker.index('"The team"') < picker.index("Lena</option>") < picker.index('"Other staff"')
    )


def test_an_agent_covers_a_shift_in_the_schedules_zone(client, l1_schedule, l2_agent):
    client.force_login(l2_agent)
    response = client.post(
        reverse("oncall-schedule-override", args=[l1_schedule.pk]),
        {"start": "2026-11-26T20:00", "end": "2026-11-27T08:00", "user": l2_agent.pk},
    )
    assert response.status_code == 302
    override = Override.objects.get(schedule=l1_schedule)
    assert override.start == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert override.user == l2_agent


def test_an_agent_cannot_give_someone_elses_shift_away(client, l1_schedule, l1_agent, l2_agent):
    client.force_login(l2_agent)
    response = client.post(
        reverse("oncall-schedule-override", args=[l1_schedule.pk]),
        {"start": "2026-11-26T20:00", "end": "2026-11-27T08:00", "user": l1_agent.pk},
    )
    assert response.status_code == 400
    assert "Only supervisors can give" in response.content.decode()
    assert not Override.objects.exists()


def test_bad_override_input_is_shown_next_to_the_field(client, l1_schedule, supervisor):
    client.force_login(supervisor)
    url = reverse("oncall-schedule-override", args=[l1_schedule.pk])
    response = client.post(
        url, {"start": "2026-11-27T08:00", "end": "2026-11-26T08:00", "user": supervisor.pk}
    )
    assert response.status_code == 400
    assert "Must be after the start." in response.content.decode()
    assert client.post(url, {"start": "x", "end": "", "user": "abc"}).status_code == 400
    assert not Override.objects.exists()


def test_covering_one_person_takes_only_their_shifts(
    client, l1_schedule, supervisor, l1_agent, night_agent, l2_agent
):
    client.force_login(supervisor)
    response = client.post(
        reverse("oncall-schedule-override", args=[l1_schedule.pk]),
        {
            "start": "2026-11-26T00:00",
            "end": "2026-11-28T00:00",
            "user": l2_agent.pk,
            "instead_of": l1_agent.pk,
        },
    )
    assert response.status_code == 302
    made = list(Override.objects.order_by("start").values_list("start", "end"))
    # Lena's two day shifts (08–20 Moscow), not Nik's nights between them.
    assert made == [
        (datetime(2026, 11, 26, 5, tzinfo=UTC), datetime(2026, 11, 26, 17, tzinfo=UTC)),
        (datetime(2026, 11, 27, 5, tzinfo=UTC), datetime(2026, 11, 27, 17, tzinfo=UTC)),
    ]


def test_covering_someone_who_is_not_on_call_is_refused(client, l1_schedule, supervisor, l2_agent):
    client.force_login(supervisor)
    response = client.post(
        reverse("oncall-schedule-override", args=[l1_schedule.pk]),
        {
            "start": "2026-11-26T00:00",
            "end": "2026-11-27T00:00",
            "user": supervisor.pk,
            "instead_of": l2_agent.pk,
        },
    )
    assert response.status_code == 400
    assert "is not on call in this range" in response.content.decode()


def test_one_removes_their_own_override(client, l1_schedule, l2_agent):
    override = Override.objects.create(
        schedule=l1_schedule,
        user=l2_agent,
        start=WEDNESDAY_NOON,
        end=WEDNESDAY_NOON.replace(hour=18),
    )
    client.force_login(l2_agent)
    delete = reverse("oncall-schedule-override-delete", args=[l1_schedule.pk, override.pk])
    assert client.post(delete).status_code == 302
    assert not Override.objects.exists()
    assert client.post(delete).status_code == 404


def test_feeds_are_shown_with_copy_buttons_and_rotate(client, l1_schedule, supervisor, l2_agent):
    client.force_login(l2_agent)
    page = client.get(reverse("oncall-schedule", args=[l1_schedule.pk])).content.decode()
    assert l1_schedule.feed_token not in page  # only editors see the schedule's secret
    mine = l2_agent.oncall_feed.token
    assert f"/oncall/calendar/{mine}.ics" in page and 'data-copy="feed-mine"' in page
    client.post(reverse("oncall-schedule-my-feed-rotate"), {"schedule": l1_schedule.pk})
    l2_agent.oncall_feed.refresh_from_db()
    assert l2_agent.oncall_feed.token != mine

    client.force_login(supervisor)
    old = l1_schedule.feed_token
    page = client.get(reverse("oncall-schedule", args=[l1_schedule.pk])).content.decode()
    assert f"/oncall/calendar/{old}.ics" in page
    assert (
        client.post(reverse("oncall-schedule-feed-rotate", args=[l1_schedule.pk])).status_code
        == 302
    )
    l1_schedule.refresh_from_db()
    assert l1_schedule.feed_token != old
    assert client.get(f"/oncall/calendar/{old}.ics").status_code == 404


def test_fairness_counts_nights_and_weekends(client, l1_schedule, l1_agent):
    client.force_login(l1_agent)
    url = reverse("oncall-schedule-fairness", args=[l1_schedule.pk])
    page = client.get(url + "?month=2026-11").content.decode()
    assert "Fairness, November 2026" in page
    assert "Nik" in page and "Lena" in page
    assert client.get(url + "?month=13-2026").status_code == 200


def test_the_calendar_page_does_not_grow_queries_with_people(
    client, l1_schedule, supervisor, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("oncall-schedule", args=[l1_schedule.pk]) + "?view=month"
    client.get(url)  # makes the person's feed once
    with django_assert_max_num_queries(16) as first:
        client.get(url)
    nights = l1_schedule.layers.get(level=1)
    for n in range(6):
        person = UserFactory(role="agent", name=f"Extra {n}")
        nights.members.create(user=person, position=n + 1)
        Override.objects.create(
            schedule=l1_schedule,
            user=person,
            start=WEDNESDAY_NOON.replace(day=n + 1),
            end=WEDNESDAY_NOON.replace(day=n + 1, hour=18),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Extra 5" in client.get(url).content.decode()


def test_fairness_warns_when_the_nights_are_uneven(client, l1_team, l1_agent, night_agent):
    schedule = Schedule.objects.create(team=l1_team, name="Lopsided")
    layer(schedule, 0, [l1_agent], unit="weeks", days=range(7), start=time(20), end=time(8))
    layer(schedule, 1, [night_agent], unit="weeks", days=[0], start=time(20), end=time(8))
    client.force_login(l1_agent)
    url = reverse("oncall-schedule-fairness", args=[schedule.pk])
    assert "shared unevenly" in client.get(url + "?month=2026-11").content.decode()
    assert (
        "shared unevenly"
        not in client.get(
            reverse("oncall-schedule-fairness", args=[schedule.pk]) + "?month=2026-10"
        ).content.decode()
    )
