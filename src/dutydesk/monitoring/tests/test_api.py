"""The monitoring API: who may read and write checks and maintenance, and what bad input gets."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dutydesk.api.tests.client import client_as
from dutydesk.channels.alerts.services.integrations import integration_create
from dutydesk.monitoring.models import Check, CheckResult, MaintenanceWindow
from dutydesk.monitoring.rollups import rollup_refresh
from dutydesk.monitoring.tests.factories import make_check

pytestmark = pytest.mark.django_db
BASE = "/api/v1/monitoring"

# Who calls, and what they get for a check of acme: staff see every client's checks.
READ_MATRIX = [
    ("anonymous", 401),
    ("gina", 404),  # a customer of another organisation
    ("boris", 200),  # a customer of acme: reads, without the configuration
    ("l2_agent", 200),
    ("supervisor", 200),
]
WRITE_MATRIX = [
    ("anonymous", 401),
    ("gina", 404),
    ("boris", 403),
    ("l1_agent", 200),
    ("supervisor", 200),
]


@pytest.fixture
def shop(acme):
    return make_check(
        acme,
        "http",
        {"url": "https://shop.acme.test/", "headers": {"Authorization": "Bearer s3cret"}},
        name="Shop",
        component="Web shop",
    )


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _patch(client, path, body):
    return client.patch(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("caller", "status"), READ_MATRIX)
def test_check_detail_access(request, shop, caller, status):
    response = client_as(request, caller).get(f"{BASE}/checks/{shop.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["name"] == "Shop" and body["state"] == "unknown"
        staff = caller != "boris"
        assert (body["config"] is not None) is staff
        assert ("s3cret" in response.content.decode()) is staff


@pytest.mark.parametrize(
    ("caller", "count"), [("gina", 1), ("boris", 1), ("l1_agent", 2), ("supervisor", 2)]
)
def test_check_list_is_scoped(request, shop, globex, caller, count):
    make_check(globex, "tcp", {"host": "127.0.0.1", "port": 25}, name="Mail")
    response = client_as(request, caller).get(f"{BASE}/checks")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == count
    if caller == "gina":
        assert items[0]["organization"] == "globex"


def test_check_list_anonymous_is_401(client, shop):
    assert client.get(f"{BASE}/checks").status_code == 401


def test_check_list_pages_and_filters(request, acme, shop, django_assert_max_num_queries):
    for n in range(4):
        make_check(acme, "tcp", {"host": "127.0.0.1", "port": 1000 + n}, name=f"Port {n}")
    client = client_as(request, "supervisor")
    with django_assert_max_num_queries(8):
        first = client.get(f"{BASE}/checks?limit=3").json()
    second = client.get(f"{BASE}/checks?limit=3&cursor={first['next_cursor']}").json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert len(client.get(f"{BASE}/checks?kind=http").json()["items"]) == 1
    assert client.get(f"{BASE}/checks?kind=ftp").status_code == 422


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("gina", 403), ("boris", 403), ("l1_agent", 201)],
)
def test_check_create_access(request, acme, caller, status):
    body = {
        "organization": "acme",
        "name": "API",
        "kind": "tcp",
        "config": {"host": "127.0.0.1", "port": 443},
    }
    response = _post(client_as(request, caller), f"{BASE}/checks", body)
    assert response.status_code == status
    assert Check.objects.count() == (1 if status == 201 else 0)


def test_a_heartbeat_is_created_with_its_ping_url(request, acme):
    body = {
        "organization": "acme",
        "name": "Backup",
        "kind": "heartbeat",
        "config": {"cron": "0 3 * * *", "time_zone": "Europe/Moscow", "grace_seconds": 1800},
    }
    response = _post(client_as(request, "l1_agent"), f"{BASE}/checks", body)
    assert response.status_code == 201, response.content
    check = Check.objects.get()
    assert response.json()["ping_url"] == f"http://testserver/ping/{check.ping_key}"
    assert response.json()["next_due_at"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "http", "config": {"url": "gopher://x"}}, "config.url"),
        ({"kind": "http", "config": {"url": "https://a.test", "extra": 1}}, "config.extra"),
        ({"kind": "tcp", "config": {"host": "a.test"}}, "config.port"),
        ({"kind": "ping", "config": {}}, None),
        ({"interval_seconds": 5}, None),
        ({"interval_seconds": 10, "timeout_seconds": 30}, "timeout_seconds"),
        ({"organization": "nobody"}, "organization"),
        ({"name": ""}, None),
        ({"priority": "P9"}, None),
        ({"surprise": True}, None),
        ({"name": "a\x00b"}, None),
    ],
)
def test_bad_input_is_a_422_and_creates_nothing(request, acme, change, field):
    body = {
        "organization": "acme",
        "name": "Shop",
        "kind": "http",
        "config": {"url": "https://a.test"},
        **change,
    }
    response = _post(client_as(request, "l1_agent"), f"{BASE}/checks", body)
    assert response.status_code == 422, response.content
    if field:
        assert field in response.json()["errors"]
    assert not Check.objects.exists()


def test_malformed_json_is_a_400(request, acme):
    client = client_as(request, "l1_agent")
    response = client.post(f"{BASE}/checks", "{nope", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(("caller", "status"), WRITE_MATRIX)
def test_pausing_a_check(request, shop, caller, status):
    response = _patch(client_as(request, caller), f"{BASE}/checks/{shop.pk}", {"is_paused": True})
    assert response.status_code == status
    shop.refresh_from_db()
    assert shop.is_paused is (status == 200)
    if status == 200:
        assert response.json()["is_paused"] is True


def test_patch_validates_the_configuration(request, shop):
    client = client_as(request, "l1_agent")
    response = _patch(client, f"{BASE}/checks/{shop.pk}", {"config": {"url": "nope"}})
    assert response.status_code == 422 and "config.url" in response.json()["errors"]
    response = _patch(client, f"{BASE}/checks/{shop.pk}", {"interval_seconds": None})
    assert response.status_code == 422
    shop.refresh_from_db()
    assert shop.config["url"] == "https://shop.acme.test/"


@pytest.mark.parametrize(("caller", "status"), [*WRITE_MATRIX[:3], ("l1_agent", 204)])
def test_deleting_a_check(request, shop, caller, status):
    response = client_as(request, caller).delete(f"{BASE}/checks/{shop.pk}")
    assert response.status_code == status
    assert Check.objects.exists() is (status != 204)


@pytest.mark.parametrize(("caller", "status"), READ_MATRIX)
@pytest.mark.parametrize("suffix", ["results", "uptime?resolution=m&days=1", "state-changes"])
def test_results_uptime_and_state_changes_access(request, shop, caller, status, suffix):
    response = client_as(request, caller).get(f"{BASE}/checks/{shop.pk}/{suffix}")
    assert response.status_code == status


def test_uptime_comes_from_the_rollups(request, shop):
    now = datetime.now(UTC).replace(second=30, microsecond=0)
    for offset, status in enumerate(["up", "up", "up", "down"]):
        CheckResult.objects.create(
            check_ref=shop,
            at=now - timedelta(seconds=offset),
            status=status,
            ok=status == "up",
            latency_ms=10 * (offset + 1),
        )
    rollup_refresh(now=now + timedelta(seconds=1))
    client = client_as(request, "boris")
    body = client.get(f"{BASE}/checks/{shop.pk}/uptime?resolution=m&days=1").json()
    assert body["uptime"] == 0.75
    [bucket] = body["buckets"]
    assert (bucket["latency_min"], bucket["latency_avg"], bucket["latency_max"]) == (10, 25, 40)
    detail = client.get(f"{BASE}/checks/{shop.pk}").json()
    assert detail["uptime_24h"] == 0.75 and detail["uptime_30d"] == 0.75
    results = client.get(f"{BASE}/checks/{shop.pk}/results?limit=2").json()
    assert [r["status"] for r in results] == ["up", "up"]


# --- maintenance ------------------------------------------------------------------------

WINDOW = {
    "organization": "acme",
    "title": "Database upgrade",
    "starts_at": "2030-01-01T22:00:00Z",
    "ends_at": "2030-01-01T23:00:00Z",
}


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("gina", 403), ("boris", 403), ("l1_agent", 201)],
)
def test_maintenance_create_access(request, acme, caller, status):
    response = _post(client_as(request, caller), f"{BASE}/maintenance", WINDOW)
    assert response.status_code == status
    assert MaintenanceWindow.objects.exists() is (status == 201)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2030-01-01T21:00:00Z"}, "ends_at"),
        ({"starts_at": None}, "starts_at"),
        ({"recurrence": "weekly", "weekdays": [9]}, "weekdays"),
        ({"recurrence": "cron", "cron": "every day"}, "cron"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"check": 999999}, "check"),
        ({"integration": 999999}, "integration"),
    ],
)
def test_bad_maintenance_is_a_422(request, acme, change, field):
    response = _post(client_as(request, "l1_agent"), f"{BASE}/maintenance", {**WINDOW, **change})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not MaintenanceWindow.objects.exists()


def test_a_window_for_another_organisations_check_is_refused(request, acme, globex):
    mail = make_check(globex, "tcp", {"host": "127.0.0.1", "port": 25})
    body = {**WINDOW, "check": mail.pk}
    response = _post(client_as(request, "l1_agent"), f"{BASE}/maintenance", body)
    assert response.status_code == 422 and "check" in response.json()["errors"]


def test_maintenance_list_and_delete(request, acme, shop):
    with time_machine.travel(datetime(2030, 1, 1, 22, 30, tzinfo=UTC), tick=False):
        created = _post(
            client_as(request, "l1_agent"), f"{BASE}/maintenance", {**WINDOW, "check": shop.pk}
        ).json()
        listed = client_as(request, "boris").get(f"{BASE}/maintenance").json()
    assert created["check"] == shop.pk and created["active_now"] is True
    assert [w["id"] for w in listed] == [created["id"]]
    assert client_as(request, "gina").get(f"{BASE}/maintenance").json() == []
    path = f"{BASE}/maintenance/{created['id']}"
    assert client_as(request, "gina").delete(path).status_code == 404
    assert client_as(request, "boris").delete(path).status_code == 403
    assert client_as(request, "l1_agent").delete(path).status_code == 204


def test_a_window_for_an_alert_integration(request, acme, globex, shop):
    mine, _url = integration_create(organization=acme, kind="generic", name="Tool", by=None)
    theirs, _url = integration_create(organization=globex, kind="generic", name="X", by=None)
    client = client_as(request, "l1_agent")
    created = _post(client, f"{BASE}/maintenance", {**WINDOW, "integration": mine.pk})
    assert created.status_code == 201 and created.json()["integration"] == mine.pk
    for body in ({"integration": theirs.pk}, {"integration": mine.pk, "check": shop.pk}):
        response = _post(client, f"{BASE}/maintenance", {**WINDOW, **body})
        assert response.status_code == 422 and "integration" in response.json()["errors"]
