"""The SLA API: staff read policies and calendars, admins write them, bad input is a 422
that changes nothing."""

from __future__ import annotations

import pytest

from dutydesk.accounts.models import Role
from dutydesk.api.tests.client import api_client, client_as
from dutydesk.core.models import AuditLog
from dutydesk.sla.models import BusinessCalendar, Policy
from dutydesk.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sla"
TARGETS = [
    {
        "priority": p,
        "first_response_minutes": m,
        "next_response_minutes": 2 * m,
        "resolution_minutes": 8 * m,
    }
    for p, m in (("P1", 10), ("P2", 30), ("P3", 60), ("P4", 120))
]
BERLIN = {
    "slug": "berlin",
    "name": "Berlin office",
    "time_zone": "Europe/Berlin",
    "holiday_country": "DE",
    "intervals": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
    "days": [{"date": "2027-12-24", "kind": "holiday", "yearly": True, "note": "Christmas Eve"}],
}


@pytest.fixture
def admin(db):
    return UserFactory(email="root@support.test", name="Root", role=Role.ADMIN)


READERS = [
    ("anonymous", 401),
    ("anna", 403),
    ("l1_agent", 200),
    ("supervisor", 200),
    ("admin", 200),
]
WRITERS = [
    ("anonymous", 401),
    ("anna", 403),
    ("l1_agent", 403),
    ("supervisor", 403),
    ("admin", None),
]


@pytest.mark.parametrize(("caller", "status"), READERS)
@pytest.mark.parametrize(
    "path", ["/policies", "/policies/standard-24x7", "/calendars", "/calendars/moscow-office"]
)
def test_who_may_read(request, anna, l1_agent, supervisor, admin, caller, status, path):
    response = client_as(request, caller).get(URL + path)

    assert response.status_code == status, response.content
    assert "detail" in response.json() or status == 200


@pytest.mark.parametrize(("caller", "status"), WRITERS)
def test_who_may_write(request, anna, l1_agent, supervisor, admin, caller, status):
    client = client_as(request, caller)
    policy = {"slug": "gold", "name": "Gold", "calendar": "24x7", "targets": TARGETS}

    answers = [
        client.post(f"{URL}/policies", policy, content_type="application/json"),
        client.patch(
            f"{URL}/policies/standard-24x7", {"name": "X"}, content_type="application/json"
        ),
        client.post(f"{URL}/calendars", BERLIN, content_type="application/json"),
        client.put(f"{URL}/calendars/24x7", BERLIN, content_type="application/json"),
    ]

    if status is None:
        assert [a.status_code for a in answers] == [201, 200, 201, 422], answers[-1].content
        return
    assert [a.status_code for a in answers] == [status] * 4
    assert not Policy.objects.filter(slug="gold").exists()
    assert Policy.objects.get(slug="standard-24x7").name == "Standard 24/7"
    assert not BusinessCalendar.objects.filter(slug="berlin").exists()


def test_a_policy_reads_with_its_targets_and_calendar(l1_agent):
    body = api_client(l1_agent).get(f"{URL}/policies/business-moscow").json()

    assert body["calendar"] == "moscow-office"
    assert body["unanswered_minutes"] == 30
    p1 = next(t for t in body["targets"] if t["priority"] == "P1")
    assert (p1["first_response_minutes"], p1["resolution_minutes"]) == (30, 480)


def test_a_calendar_reads_with_its_hours(l1_agent):
    body = api_client(l1_agent).get(f"{URL}/calendars/moscow-office").json()

    assert body["time_zone"] == "Europe/Moscow"
    assert body["holiday_country"] == "RU"
    assert {"weekday": 0, "start": "09:00:00", "end": "18:00:00"} in body["intervals"]


def test_an_admin_creates_a_policy_and_a_calendar(admin):
    client = api_client(admin)

    calendar = client.post(f"{URL}/calendars", BERLIN, content_type="application/json")
    assert calendar.status_code == 201, calendar.content
    assert calendar.json()["days"][0]["yearly"] is True
    policy = client.post(
        f"{URL}/policies",
        {
            "slug": "gold",
            "name": "Gold",
            "calendar": "berlin",
            "unanswered_minutes": 20,
            "breach_action": "page",
            "targets": TARGETS,
        },
        content_type="application/json",
    )

    assert policy.status_code == 201, policy.content
    gold = Policy.objects.get(slug="gold")
    assert gold.calendar.slug == "berlin" and gold.unanswered_minutes == 20
    assert gold.targets.count() == 4
    assert AuditLog.objects.filter(action="policy.created").count() == 1


def test_patch_changes_only_what_is_sent_and_replaces_targets(admin):
    client = api_client(admin)

    response = client.patch(
        f"{URL}/policies/standard-24x7",
        {"unanswered_minutes": 15, "targets": TARGETS[:1]},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    policy = Policy.objects.get(slug="standard-24x7")
    assert policy.unanswered_minutes == 15 and policy.name == "Standard 24/7"
    assert list(policy.targets.values_list("priority", "first_response_minutes")) == [("P1", 10)]


BAD_POLICIES = [
    ({"calendar": "nowhere"}, "calendar"),
    ({"targets": [{**TARGETS[0], "first_response_minutes": 0}]}, "targets"),
    ({"targets": [{**TARGETS[0], "resolution_minutes": -5}]}, "targets"),
    ({"targets": [TARGETS[0], TARGETS[0]]}, "targets"),
    ({"warn_first": 95, "warn_second": 90}, "Warnings"),
    ({"unanswered_minutes": 0}, "wait at least one minute"),
    ({"is_default": True}, "already the default"),
    ({"slug": "standard-24x7"}, "slug"),
]


@pytest.mark.parametrize(("change", "blame"), BAD_POLICIES)
def test_a_bad_policy_is_refused_with_a_reason(admin, change, blame):
    payload = {"slug": "gold", "name": "Gold", "calendar": "24x7", "targets": TARGETS, **change}

    response = api_client(admin).post(f"{URL}/policies", payload, content_type="application/json")

    assert response.status_code == 422, response.content
    assert blame in response.content.decode()
    assert not Policy.objects.filter(name="Gold").exists()


def test_a_null_in_a_patch_is_refused(admin):
    response = api_client(admin).patch(
        f"{URL}/policies/standard-24x7", {"targets": None}, content_type="application/json"
    )

    assert response.status_code == 422
    assert Policy.objects.get(slug="standard-24x7").targets.count() == 4


BAD_CALENDARS = [
    ({"intervals": []}, "no working hours"),
    (
        {
            "intervals": [
                {"weekday": 0, "start": "09:00", "end": "13:00"},
                {"weekday": 0, "start": "12:00", "end": "18:00"},
            ]
        },
        "overlap",
    ),
    ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
    ({"holiday_country": "XX"}, "Unknown holiday country"),
    ({"intervals": [{"weekday": 7, "start": "09:00"}]}, "weekday"),
]


@pytest.mark.parametrize(("change", "blame"), BAD_CALENDARS)
def test_a_bad_calendar_is_refused_with_a_reason(admin, change, blame):
    response = api_client(admin).post(
        f"{URL}/calendars", {**BERLIN, **change}, content_type="application/json"
    )

    assert response.status_code == 422, response.content
    assert blame in response.content.decode()
    assert not BusinessCalendar.objects.filter(slug="berlin").exists()


def test_a_bad_calendar_update_changes_nothing(admin):
    before = BusinessCalendar.objects.get(slug="moscow-office").intervals.count()

    response = api_client(admin).put(
        f"{URL}/calendars/moscow-office",
        {**BERLIN, "slug": "moscow-office", "intervals": []},
        content_type="application/json",
    )

    assert response.status_code == 422
    calendar = BusinessCalendar.objects.get(slug="moscow-office")
    assert calendar.intervals.count() == before and calendar.time_zone == "Europe/Moscow"


def test_unknown_slugs_are_404(admin):
    client = api_client(admin)

    assert client.get(f"{URL}/policies/nope").status_code == 404
    assert client.get(f"{URL}/calendars/nope").status_code == 404
    assert (
        client.put(f"{URL}/calendars/nope", BERLIN, content_type="application/json").status_code
        == 404
    )
