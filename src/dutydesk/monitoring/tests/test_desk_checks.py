"""The workspace pages of checks: list, detail, create, edit, pause and run now."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dutydesk.core.models import AuditLog
from dutydesk.monitoring.models import Check, Kind, State
from dutydesk.monitoring.tests.desk_data import latency_history
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.monitoring.tests.status_data import status_history

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(acme, l1_agent):
    with time_machine.travel(NOW, tick=False):
        checks = status_history(acme, l1_agent, NOW)
        latency_history(checks["shop"], NOW)
    return checks


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, path):
    with time_machine.travel(NOW, tick=False):
        return client.get(path)


LIST = "/desk/monitoring/"


def test_anonymous_is_sent_to_sign_in(history):
    for path in (
        LIST,
        f"/desk/monitoring/checks/{history['shop'].pk}/",
        "/desk/monitoring/checks/new/",
    ):
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_customers_are_refused_even_for_their_own_checks(history, anna, gina):
    shop = history["shop"]
    for user in (anna, gina):
        client = signed_in(user)
        assert client.get(LIST).status_code == 403
        assert client.get(f"/desk/monitoring/checks/{shop.pk}/").status_code == 403
        assert client.post(f"/desk/monitoring/checks/{shop.pk}/pause/").status_code == 403
    shop.refresh_from_db()
    assert not shop.is_paused


def test_the_list_shows_each_organisation_with_state_latency_and_uptime(
    history, globex, l1_agent, django_assert_max_num_queries
):
    make_check(globex, "tcp", {"host": "127.0.0.1", "port": 25}, name="Globex mail")
    client = signed_in(l1_agent)
    with django_assert_max_num_queries(9):
        response = _get(client, LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Acme") < html.index("Globex mail")
    assert "Shop" in html and "Public API" in html and "Internal" in html
    assert 'mon-state-down">Down' in html  # the API is down
    # The shop's hourly buckets: 20 of 60 failed an hour ago, 5 a week ago.
    assert "98.61%" in html  # 24 h: (1440 - 20) / 1440
    assert 'aria-current="page">Monitoring' in html


def test_the_query_count_does_not_grow_with_the_checks(
    history, l1_agent, acme, django_assert_max_num_queries
):
    for n in range(30):
        make_check(acme, "tcp", {"host": "127.0.0.1", "port": 1000 + n}, name=f"Port {n}")
    client = signed_in(l1_agent)
    with django_assert_max_num_queries(9):
        assert _get(client, LIST).status_code == 200


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?state=down", ["API"], ["Shop"]),
        ("?kind=http", ["Shop"], ["API"]),
        ("?organization=globex", [], ["Shop", "API"]),
        ("?q=shop", ["Shop"], ["API"]),
        ("?state=bogus&kind=nope", ["Shop", "API"], []),
    ],
)
def test_filters(history, l1_agent, globex, query, shown, hidden):
    html = _get(signed_in(l1_agent), LIST + query).content.decode()
    for name in shown:
        assert f">{name}</a>" in html
    for name in hidden:
        assert f">{name}</a>" not in html


def test_paused_checks_filter_and_show_as_paused(history, l1_agent):
    Check.objects.filter(pk=history["hidden"].pk).update(is_paused=True)
    html = _get(signed_in(l1_agent), LIST + "?state=paused").content.decode()
    assert ">Internal</a>" in html and ">Shop</a>" not in html
    assert 'mon-state-paused">Paused' in html


def test_the_detail_page_draws_the_chart_and_the_90_days(
    history, l1_agent, django_assert_max_num_queries
):
    shop = history["shop"]
    client = signed_in(l1_agent)
    with django_assert_max_num_queries(14):
        response = _get(client, f"/desk/monitoring/checks/{shop.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="chart"' in html and 'class="line"' in html
    assert 'class="strip-down"' in html  # the 20 minute outage two hours ago
    assert html.count('class="mon-bar mon-bar-') == 90
    assert "2026-03-17: 97.92% uptime · 30 failed checks" in html
    assert shop.incident.reference in html  # its incident is listed
    assert "Unexpected status 502" in html  # the state change that opened it
    assert "<script>" not in html  # scripts only from files (CSP)


def test_the_month_range_uses_hourly_buckets(history, l1_agent):
    shop = history["shop"]
    html = _get(
        signed_in(l1_agent), f"/desk/monitoring/checks/{shop.pk}/?range=month"
    ).content.decode()
    assert "Latency and uptime, 30 days" in html
    assert 'class="strip-partial"' in html or 'class="strip-down"' in html


def test_incidents_in_queues_the_agent_does_not_see_are_counted_not_shown(history, l2_agent):
    shop = history["shop"]
    html = _get(signed_in(l2_agent), f"/desk/monitoring/checks/{shop.pk}/").content.decode()
    assert shop.incident.subject not in html
    assert "1 more incident is in queues you do not see." in html


def test_an_unknown_check_is_404(l1_agent, db):
    assert signed_in(l1_agent).get("/desk/monitoring/checks/999999/").status_code == 404


def test_a_heartbeat_shows_its_ping_urls_and_a_curl_example(acme, l1_agent):
    beat = make_check(acme, Kind.HEARTBEAT, {"period_seconds": 3600}, name="Nightly backup")
    html = signed_in(l1_agent).get(f"/desk/monitoring/checks/{beat.pk}/").content.decode()
    base = f"http://testserver/ping/{beat.ping_key}"
    for url in (base, f"{base}/start", f"{base}/fail"):
        assert f'value="{url}"' in html
    assert f"curl -fsS -m 10 --retry 3 {base}/start" in html
    assert html.count("data-copy=") == 4
    assert "Run now" not in html


def test_pause_resume_and_run_now(history, l1_agent):
    shop = history["shop"]
    client = signed_in(l1_agent)
    assert client.get(f"/desk/monitoring/checks/{shop.pk}/pause/").status_code == 405
    client.post(f"/desk/monitoring/checks/{shop.pk}/pause/", {"paused": "1"})
    shop.refresh_from_db()
    assert shop.is_paused and shop.state == State.UNKNOWN
    response = client.post(f"/desk/monitoring/checks/{shop.pk}/run/", follow=True)
    assert "Only an active check" in response.content.decode()
    client.post(f"/desk/monitoring/checks/{shop.pk}/pause/", {"paused": "0"})
    shop.refresh_from_db()
    assert not shop.is_paused and shop.next_run_at is not None
    with time_machine.travel(NOW.replace(year=2026, month=3, day=21), tick=False):
        client.post(f"/desk/monitoring/checks/{shop.pk}/run/")
    shop.refresh_from_db()
    assert shop.next_run_at == NOW.replace(day=21)
    assert AuditLog.objects.filter(action="monitoring.check_run_requested").exists()


NEW = "/desk/monitoring/checks/new/"


def test_the_new_page_offers_every_kind(l1_agent, db):
    html = signed_in(l1_agent).get(NEW).content.decode()
    for kind in Kind.values:
        assert f'href="?kind={kind}"' in html


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        (
            "http",
            {
                "cfg_url": "https://shop.acme.test/health",
                "cfg_method": "GET",
                "cfg_expected_status": "200, 204",
                "cfg_headers": "X-Probe: dutydesk",
                "cfg_follow_redirects": "on",
            },
        ),
        ("tcp", {"cfg_host": "mail.acme.test", "cfg_port": "25"}),
        (
            "dns",
            {
                "cfg_name": "acme.test",
                "cfg_record_type": "MX",
                "cfg_resolver": "127.0.0.1",
                "cfg_resolver_port": "53",
                "cfg_expected": "mx1.acme.test.",
            },
        ),
        (
            "tls",
            {
                "cfg_host": "acme.test",
                "cfg_port": "443",
                "cfg_warn_days": "21",
                "cfg_verify_chain": "on",
            },
        ),
        ("domain", {"cfg_domain": "acme.test", "cfg_warn_days": "30"}),
        (
            "heartbeat",
            {"cfg_cron": "0 3 * * *", "cfg_time_zone": "Europe/Moscow", "cfg_grace_seconds": "600"},
        ),
    ],
)
def test_an_agent_creates_a_check_of_every_kind(acme, l1_agent, kind, config):
    data = {
        "kind": kind,
        "organization": "acme",
        "name": f"New {kind}",
        "interval_seconds": "60",
        "timeout_seconds": "10",
        "alert_after": "2",
        "recover_after": "1",
        "priority": "P2",
        "resolve_on_recovery": "on",
        **config,
    }
    response = signed_in(l1_agent).post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    check = Check.objects.get(name=f"New {kind}")
    assert response["Location"] == reverse("monitoring-desk-check", args=[check.pk])
    assert check.kind == kind and check.organization == acme
    if kind == "http":
        assert check.config["expected_status"] == [200, 204]
        assert check.config["headers"] == {"X-Probe": "dutydesk"}
        assert check.config["verify_tls"] is False  # an unticked box
    if kind == "heartbeat":
        assert check.config["cron"] == "0 3 * * *" and check.next_due_at is not None


def test_bad_values_come_back_next_to_their_fields(acme, l1_agent):
    data = {
        "kind": "http",
        "organization": "acme",
        "name": "Shop",
        "interval_seconds": "60",
        "timeout_seconds": "120",
        "alert_after": "2",
        "recover_after": "1",
        "priority": "P2",
        "cfg_url": "ftp://shop.acme.test",
        "cfg_method": "GET",
        "cfg_expected_status": "20x",
    }
    response = signed_in(l1_agent).post(NEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_cfg_expected_status_error"' in html
    assert Check.objects.count() == 0
    data["cfg_expected_status"] = ""
    html = signed_in(l1_agent).post(NEW, data).content.decode()
    assert 'id="id_cfg_url_error"' in html and "An http:// or https:// URL is required." in html
    data["cfg_url"] = "https://shop.acme.test"
    html = signed_in(l1_agent).post(NEW, data).content.decode()
    assert 'id="id_timeout_seconds_error"' in html
    assert "The timeout must not be longer than the interval." in html
    assert Check.objects.count() == 0


def test_an_unknown_organisation_is_a_form_error(acme, l1_agent):
    response = signed_in(l1_agent).post(NEW, {"kind": "tcp", "organization": "nope", "name": "x"})
    assert response.status_code == 200 and 'id="id_organization_error"' in response.content.decode()


def test_editing_keeps_the_kind_and_shows_the_current_values(history, l1_agent):
    shop = history["shop"]
    client = signed_in(l1_agent)
    html = client.get(f"/desk/monitoring/checks/{shop.pk}/edit/").content.decode()
    assert 'value="http://127.0.0.1:9/"' in html and 'name="organization"' not in html
    response = client.post(
        f"/desk/monitoring/checks/{shop.pk}/edit/",
        {
            "name": "Web shop",
            "interval_seconds": "30",
            "timeout_seconds": "5",
            "alert_after": "3",
            "recover_after": "2",
            "priority": "P1",
            "component": "Web shop",
            "cfg_url": "http://127.0.0.1:9/health",
            "cfg_method": "HEAD",
            "cfg_keyword": "",
        },
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "Web shop" and shop.interval_seconds == 30 and shop.priority == "P1"
    assert shop.config["url"] == "http://127.0.0.1:9/health" and shop.config["method"] == "HEAD"
    assert shop.kind == "http"


def test_delete(history, l1_agent):
    shop = history["shop"]
    response = signed_in(l1_agent).post(f"/desk/monitoring/checks/{shop.pk}/delete/")
    assert response.status_code == 302
    assert not Check.objects.filter(pk=shop.pk).exists()
