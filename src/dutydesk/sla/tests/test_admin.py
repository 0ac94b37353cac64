import pytest
from django.urls import reverse

from dutydesk.sla.models import BusinessCalendar, Policy
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:sla_businesscalendar_add")


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@support.test", role="admin", is_superuser=True)


def form(intervals: list[tuple[int, str, str]], days: list[tuple[str, str]] = (), **fields) -> dict:
    data = {
        "name": "Berlin office",
        "slug": "berlin",
        "time_zone": "Europe/Berlin",
        "holiday_country": "DE",
        **fields,
    }
    for prefix, rows in (("intervals", intervals), ("days", days)):
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    for n, (weekday, start, end) in enumerate(intervals):
        data |= {f"intervals-{n}-weekday": weekday, f"intervals-{n}-start": start}
        data[f"intervals-{n}-end"] = end
    for n, (day, kind) in enumerate(days):
        data |= {f"days-{n}-date": day, f"days-{n}-kind": kind}
    return data


def test_admin_adds_a_good_calendar(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        ADD, form([(0, "09:00", "18:00"), (1, "09:00", "")], [("2027-12-24", "holiday")])
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(slug="berlin")
    assert calendar.intervals.count() == 2 and calendar.days.count() == 1


@pytest.mark.parametrize(
    ("intervals", "fields", "message"),
    [
        ([], {}, "no working hours"),
        ([(0, "09:00", "13:00"), (0, "12:00", "18:00")], {}, "overlap"),
        ([(0, "18:00", "09:00")], {}, "ends before it starts"),
        ([(0, "09:00", "18:00")], {"time_zone": "Mars/Olympus"}, "Unknown time zone"),
        ([(0, "09:00", "18:00")], {"holiday_country": "XX"}, "Unknown holiday country"),
    ],
)
def test_admin_shows_a_form_error_for_a_bad_calendar(
    client, admin_user, intervals, fields, message
):
    client.force_login(admin_user)
    response = client.post(ADD, form(intervals, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusinessCalendar.objects.filter(slug="berlin").exists()


def test_admin_changes_the_default_calendar(client, admin_user):
    client.force_login(admin_user)
    calendar = BusinessCalendar.objects.get(slug="moscow-office")
    url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "l1_agent", "supervisor"])
def test_admin_is_closed_to_anyone_but_admins(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:sla_businesscalendar_changelist"))
    assert response.status_code == 302 and "/login/" in response.url


def test_admin_shows_a_policy_with_its_targets(client, admin_user):
    policy = Policy.objects.get(slug="business-moscow")
    client.force_login(admin_user)

    page = client.get(reverse("admin:sla_policy_change", args=[policy.pk]))

    assert page.status_code == 200
    assert page.content.decode().count('name="targets-') >= 4 * 4  # four priorities' fields
    assert client.get(reverse("admin:sla_policy_changelist")).status_code == 200
