"""The on-call API: who may read and write, bad input, pages acknowledged and resolved."""

from __future__ import annotations

import pytest
import time_machine

from dutydesk.api.tests.client import api_client, client_as
from dutydesk.oncall.models import Page, PageStatus, Schedule
from dutydesk.oncall.paging import page_open
from dutydesk.oncall.tests.conftest import SATURDAY_3AM
from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Priority, TicketType
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

NEW_SCHEDULE = {
    "team": "l2",
    "name": "L2 nights",
    "time_zone": "Europe/Berlin",
    "layers": [
        {
            "level": 0,
            "shift_unit": "days",
            "handoff_at": "2026-11-02T08:00:00+01:00",
            "participants": ["oleg@support.test"],
            "restrict_days": [0, 1, 2, 3, 4, 5, 6],
            "restrict_start": "20:00",
            "restrict_end": "08:00",
        }
    ],
    "overrides": [
        {
            "user": "oleg@support.test",
            "start": "2026-11-30T08:00:00+01:00",
            "end": "2026-11-30T20:00:00+01:00",
        }
    ],
}

READ = [("anonymous", 401), ("gina", 403), ("l1_agent", 200), ("supervisor", 200)]
WRITE = [("anonymous", 401), ("gina", 403), ("l1_agent", 403), ("supervisor", 201)]


@pytest.mark.parametrize(("caller", "status"), READ)
def test_reading_schedules(request, caller, status, l1_schedule):
    response = client_as(request, caller).get("/api/v1/oncall/schedules")
    assert response.status_code == status
    if status == 200:
        assert [s["name"] for s in response.json()] == ["L1 duty"]
        assert response.json()[0]["layers"][1]["participants"] == ["nik@support.test"]


@pytest.mark.parametrize(("caller", "status"), WRITE)
def test_creating_schedules(request, caller, status, l2_agent):
    response = client_as(request, caller).post(
        "/api/v1/oncall/schedules", NEW_SCHEDULE, content_type="application/json"
    )
    assert response.status_code == status
    assert Schedule.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        body = response.json()
        assert body["layers"][0]["restrict_start"] == "20:00:00"
        assert body["feed_url"].endswith(".ics")
        assert any(w["code"] == "gap" for w in body["warnings"])  # days are not covered


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"team": "nope"}, "team"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"layers": [{**NEW_SCHEDULE["layers"][0], "participants": ["anna@acme.test"]}]}, None),
        ({"layers": [{**NEW_SCHEDULE["layers"][0], "restrict_days": [9]}]}, None),
        ({"layers": [{**NEW_SCHEDULE["layers"][0], "handoff_at": "2026-11-02T08:00:00"}]}, None),
        ({"overrides": [{**NEW_SCHEDULE["overrides"][0], "end": "2026-11-29T00:00:00Z"}]}, "end"),
        ({"colour": "red"}, None),
    ],
)
def test_bad_schedules_are_422_and_change_nothing(supervisor, l2_agent, anna, change, field):
    response = api_client(supervisor).post(
        "/api/v1/oncall/schedules", {**NEW_SCHEDULE, **change}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    if field:
        assert field in response.json()["errors"]
    assert Schedule.objects.count() == 0


def test_patch_and_delete_schedule(supervisor, l1_schedule, l1_agent):
    client = api_client(supervisor)
    url = f"/api/v1/oncall/schedules/{l1_schedule.pk}"
    response = client.patch(url, {"name": "L1"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "L1"
    assert len(response.json()["layers"]) == 2
    assert api_client(l1_agent).delete(url).status_code == 403
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_an_agent_may_cover_their_own_override_only(l1_schedule, l1_agent, night_agent):
    url = f"/api/v1/oncall/schedules/{l1_schedule.pk}/overrides"
    mine = {"user": l1_agent.email, "start": "2026-12-01T00:00Z", "end": "2026-12-02T00:00Z"}
    client = api_client(l1_agent)
    assert client.post(url, mine, content_type="application/json").status_code == 201
    theirs = {**mine, "user": night_agent.email}
    assert client.post(url, theirs, content_type="application/json").status_code == 403


@time_machine.travel(SATURDAY_3AM, tick=False)
def test_who_is_on_call_now(l1_schedule, l1_agent):
    response = api_client(l1_agent).get("/api/v1/oncall/now?team=l1")
    assert response.status_code == 200
    body = response.json()
    assert body["final"] == "nik@support.test"
    assert [layer["user"] for layer in body["schedules"][0]["layers"]] == [
        None,
        "nik@support.test",
    ]
    assert api_client(l1_agent).get("/api/v1/oncall/now?team=zzz").status_code == 422


def test_shifts_of_a_schedule(l1_schedule, l1_agent):
    response = api_client(l1_agent).get(
        f"/api/v1/oncall/schedules/{l1_schedule.pk}/shifts",
        {"start": "2026-11-28T00:00:00+03:00", "end": "2026-11-29T00:00:00+03:00"},
    )
    assert response.status_code == 200
    assert [s["user"] for s in response.json()] == [
        "nik@support.test",
        "lena@support.test",
        "nik@support.test",
    ]
    too_long = {"start": "2026-01-01T00:00Z", "end": "2028-01-01T00:00Z"}
    url = f"/api/v1/oncall/schedules/{l1_schedule.pk}/shifts"
    assert api_client(l1_agent).get(url, too_long).status_code == 422


@pytest.mark.parametrize(("caller", "status"), READ)
def test_reading_policies(request, caller, status, l1_policy):
    response = client_as(request, caller).get("/api/v1/oncall/policies")
    assert response.status_code == status
    if status == 200:
        assert [s["target"] for s in response.json()[0]["steps"]] == ["schedule", "schedule"]


@pytest.mark.parametrize(("caller", "status"), WRITE)
def test_creating_policies(request, caller, status, l2_schedule):
    body = {
        "team": "l2",
        "name": "L2",
        "steps": [
            {"target": "schedule", "schedule": l2_schedule.pk, "wait_minutes": 5},
            {"target": "supervisors"},
        ],
    }
    response = client_as(request, caller).post(
        "/api/v1/oncall/policies", body, content_type="application/json"
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["steps"][1]["problem"] is None


def test_a_step_that_can_never_fire_is_marked(supervisor, l2_team):
    body = {"team": "l2", "name": "L2", "steps": [{"target": "team", "team": "l2"}]}
    response = api_client(supervisor).post(
        "/api/v1/oncall/policies", body, content_type="application/json"
    )
    assert response.status_code == 201
    assert "no active members" in response.json()["steps"][0]["problem"]


def _page(anna) -> Page:
    ticket = ingest(inbound(priority=Priority.P1, type=TicketType.INCIDENT)).ticket
    return page_open(ticket=ticket, reason="urgent")


# The page's ticket is acme's, in the L1 queue.
PAGE_ACCESS = [
    ("anonymous", 401),
    ("boris", 403),
    ("l2_agent", 404),
    ("l1_agent", 200),
    ("supervisor", 200),
]


@pytest.mark.parametrize(("caller", "status"), PAGE_ACCESS)
def test_acknowledging_pages(request, caller, status, anna, l1_agent):
    page = _page(anna)
    response = client_as(request, caller).post(f"/api/v1/pages/{page.pk}/acknowledge")
    assert response.status_code == status
    page.refresh_from_db()
    assert (page.status == PageStatus.ACKNOWLEDGED) == (status == 200)
    if status == 200:
        assert response.json()["acknowledged_by"] == request.getfixturevalue(caller).email


@pytest.mark.parametrize(("caller", "status"), PAGE_ACCESS)
def test_listing_and_resolving_pages(request, caller, status, anna, l1_agent):
    page = _page(anna)
    client = client_as(request, caller)
    listed = client.get("/api/v1/pages?status=open")
    assert listed.status_code == (403 if status == 403 else 401 if status == 401 else 200)
    if listed.status_code == 200:
        assert [p["id"] for p in listed.json()["items"]] == ([] if status == 404 else [page.pk])
    response = client.post(f"/api/v1/pages/{page.pk}/resolve")
    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "resolved"


def test_personal_feed_rotates(l1_agent, l1_schedule):
    client = api_client(l1_agent)
    first = client.get("/api/v1/oncall/me/feed").json()["url"]
    path = first.split("localhost:8000")[-1]
    calendar = client.get(path)
    assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.content
    assert b"Lena" in calendar.content
    second = client.post("/api/v1/oncall/me/feed/rotate").json()["url"]
    assert second != first
    assert client.get(path).status_code == 404


def test_schedule_feed(supervisor, l1_schedule):
    client = api_client(supervisor)
    url = client.get(f"/api/v1/oncall/schedules/{l1_schedule.pk}").json()["feed_url"]
    path = url.split("localhost:8000")[-1]
    assert b"On call: Nik" in client.get(path).content
    client.post(f"/api/v1/oncall/schedules/{l1_schedule.pk}/feed/rotate")
    assert client.get(path).status_code == 404


def test_fairness_of_a_month(l1_schedule, l1_agent):
    response = api_client(l1_agent).get(
        f"/api/v1/oncall/schedules/{l1_schedule.pk}/fairness?month=2026-12-01"
    )
    assert response.status_code == 200
    loads = {row["user"]: row for row in response.json()}
    assert loads["nik@support.test"]["nights"] == 31
    assert loads["lena@support.test"]["nights"] == 0
    assert loads["lena@support.test"]["weekend_hours"] == 8 * 12


def test_shift_reports_are_browsable_and_take_a_note(l1_schedule, l1_agent, night_agent):
    from dutydesk.oncall.shifts import shift_reports_sweep

    with time_machine.travel(SATURDAY_3AM, tick=False):
        shift_reports_sweep()
        client = api_client(night_agent)
        listed = client.get("/api/v1/oncall/shift-reports?day=2026-11-27")
        assert listed.status_code == 200
        mine = [r for r in listed.json()["items"] if r["user"] == night_agent.email]
        assert len(mine) == 1
        url = f"/api/v1/oncall/shift-reports/{mine[0]['id']}"
        ok = client.patch(url, {"note": "all quiet"}, content_type="application/json")
        assert ok.status_code == 200 and ok.json()["note"] == "all quiet"
        other = api_client(l1_agent).patch(url, {"note": "x"}, content_type="application/json")
        assert other.status_code == 403
