"""The public status page and its JSON: what is shown, to whom, in which language."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from dutydesk.monitoring.tests.status_data import status_history

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(acme, l1_agent):
    with time_machine.travel(NOW, tick=False):
        return status_history(acme, l1_agent, NOW)


def _get(path, **headers):
    with time_machine.travel(NOW, tick=False):
        return Client(headers=headers).get(path)


def test_the_page_needs_no_login_and_shows_components_incidents_and_maintenance(history):
    response = _get("/status/acme")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Web shop" in html and "Public API" in html
    assert "Internal" not in html  # no component name: not published
    assert "Some systems are experiencing an outage" in html
    assert "We are investigating errors on the API." in html
    assert "The payment provider is down; we switched over." in html
    assert "root cause" not in html  # internal notes stay internal
    assert "Unexpected status 502" not in html  # neither do the monitor's own messages
    assert "Database upgrade" in html
    assert html.count('class="bar bar-') == 180
    assert "<script" not in html and "style=" not in html


def test_day_tooltips_give_the_uptime(history):
    html = _get("/status/acme").content.decode()
    assert 'title="2026-03-17: 97.92% uptime · 30 failed checks"' in html
    assert 'title="2026-03-10: 100% uptime · maintenance"' in html


def test_the_json_has_the_same(history):
    data = _get("/status/acme.json").json()
    assert data["status"] == "down"
    names = [c["name"] for c in data["components"]]
    assert names == ["Public API", "Web shop"]
    shop = data["components"][1]
    assert len(shop["days"]) == 90 and shop["status"] == "up"
    assert shop["days"][-4] == {
        "date": "2026-03-17",
        "uptime": 1410 / 1440,
        "up": 1410,
        "down": 30,
        "maintenance": 0,
    }
    [active] = data["active_incidents"]
    assert active["components"] == ["Public API"]
    assert [u["text"] for u in active["updates"]] == ["We are investigating errors on the API."]
    [past] = data["past_incidents"]
    assert past["status"] == "resolved" and past["resolved_at"]
    assert "root cause" not in str(data)
    assert data["scheduled_maintenance"][0]["component"] == "Web shop"


@pytest.mark.parametrize(
    ("path", "headers", "language"),
    [
        ("/status/acme?lang=ru", {}, "ru"),
        ("/status/acme", {"Accept-Language": "ru-RU,ru;q=0.9"}, "ru"),
        ("/status/acme?lang=en", {"Accept-Language": "ru"}, "en"),
        ("/status/acme?lang=xx", {}, "en"),
    ],
)
def test_the_language_comes_from_the_query_or_the_browser(history, path, headers, language):
    response = _get(path, **headers)
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()


def test_other_organisations_see_only_their_own(history, globex):
    data = _get("/status/globex.json").json()
    assert data["components"] == [] and data["active_incidents"] == []
    assert "No components are published yet." in _get("/status/globex").content.decode()


def test_unknown_or_inactive_organisations_are_404(history, acme):
    assert _get("/status/nobody").status_code == 404
    assert _get("/status/nobody.json").status_code == 404
    acme.is_active = False
    acme.save()
    assert _get("/status/acme").status_code == 404


def test_the_page_costs_a_fixed_number_of_queries(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        _get("/status/acme")
