"""Workspace pages of maintenance windows and alert integrations (with the intake log)."""

from datetime import UTC, datetime, time
from urllib.parse import urlsplit

import pytest
from django.test import Client

from dutydesk.channels.alerts.models import IntakeLog, Integration
from dutydesk.channels.alerts.services.integrations import integration_create
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.monitoring.models import MaintenanceWindow
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
MAINTENANCE = "/desk/monitoring/maintenance/"
INTEGRATIONS = "/desk/monitoring/integrations/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_maintenance_needs_staff(acme, anna):
    assert Client().get(MAINTENANCE).status_code == 302
    assert signed_in(anna).get(MAINTENANCE).status_code == 403
    assert signed_in(anna).post(MAINTENANCE, {"organization": "acme"}).status_code == 403
    assert MaintenanceWindow.objects.count() == 0


def test_an_agent_plans_a_one_off_window_in_a_time_zone(acme, l1_agent):
    check = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 9}, name="Mail")
    response = signed_in(l1_agent).post(
        MAINTENANCE,
        {
            "organization": "acme",
            "target": f"check:{check.pk}",
            "title": "Mail server upgrade",
            "recurrence": "once",
            "time_zone": "Europe/Moscow",
            "starts_at": "2026-04-01T23:00",
            "ends_at": "2026-04-02T01:00",
            "duration_minutes": "60",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.check_ref == check and window.integration is None
    assert window.starts_at == datetime(2026, 4, 1, 20, 0, tzinfo=UTC)
    html = signed_in(l1_agent).get(MAINTENANCE).content.decode()
    assert "Mail server upgrade" in html and "Europe/Moscow" in html


def test_a_weekly_window_for_an_integration(acme, supervisor):
    integration, _url = integration_create(
        organization=acme, kind="alertmanager", name="Staging", by=None
    )
    response = signed_in(supervisor).post(
        MAINTENANCE,
        {
            "organization": "acme",
            "target": f"integration:{integration.pk}",
            "title": "Nightly deploys",
            "recurrence": "weekly",
            "time_zone": "UTC",
            "weekdays": ["2", "4"],
            "start_time": "03:00",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.integration == integration and window.weekdays == [2, 4]
    assert window.start_time == time(3, 0) and not window.is_public


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"recurrence": "once"}, "starts_at"),
        ({"recurrence": "weekly", "start_time": "03:00"}, "weekdays"),
        ({"recurrence": "cron", "cron": "every day"}, "cron"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_bad_windows_are_form_errors(acme, l1_agent, fields, error_field):
    data = {"organization": "acme", "title": "x", "duration_minutes": "60", "time_zone": "UTC"}
    response = signed_in(l1_agent).post(MAINTENANCE, {**data, **fields})
    assert response.status_code == 200
    assert f'id="id_{error_field}_error"' in response.content.decode() or (
        error_field == "weekdays" and "Give weekdays" in response.content.decode()
    )
    assert MaintenanceWindow.objects.count() == 0


def test_a_check_of_another_organisation_is_refused(acme, globex, l1_agent):
    theirs = make_check(globex, "tcp", {"host": "127.0.0.1", "port": 9})
    data = {
        "organization": "acme",
        "target": f"check:{theirs.pk}",
        "title": "x",
        "recurrence": "once",
        "starts_at": "2026-04-01T10:00",
        "ends_at": "2026-04-01T11:00",
        "duration_minutes": "60",
        "time_zone": "UTC",
    }
    html = signed_in(l1_agent).post(MAINTENANCE, data).content.decode()
    assert "The check belongs to another organisation." in html
    assert MaintenanceWindow.objects.count() == 0


def test_delete_a_window(acme, l1_agent, anna):
    window = MaintenanceWindow.objects.create(
        organization=acme,
        title="x",
        starts_at=datetime(2026, 4, 1, tzinfo=UTC),
        ends_at=datetime(2026, 4, 2, tzinfo=UTC),
    )
    assert signed_in(anna).post(f"{MAINTENANCE}{window.pk}/delete/").status_code == 403
    assert signed_in(l1_agent).post(f"{MAINTENANCE}{window.pk}/delete/").status_code == 302
    assert not MaintenanceWindow.objects.exists()
    assert signed_in(l1_agent).post(f"{MAINTENANCE}{window.pk}/delete/").status_code == 404


def test_integrations_are_for_supervisors_managers_and_admins(acme, anna, l1_agent):
    assert Client().get(INTEGRATIONS).status_code == 302
    assert signed_in(anna).get(INTEGRATIONS).status_code == 403
    assert signed_in(l1_agent).get(INTEGRATIONS).status_code == 403
    data = {"organization": "acme", "name": "x", "kind": "generic", "on_resolve": "resolve"}
    assert signed_in(l1_agent).post(INTEGRATIONS, data).status_code == 403
    assert Integration.objects.count() == 0


def test_the_intake_url_is_shown_once(acme, supervisor, l1_team):
    client = signed_in(supervisor)
    response = client.post(
        INTEGRATIONS,
        {
            "organization": "acme",
            "name": "Prometheus",
            "kind": "alertmanager",
            "team": "l1",
            "on_resolve": "note",
        },
        follow=True,
    )
    html = response.content.decode()
    integration = Integration.objects.get()
    assert integration.team == l1_team and integration.on_resolve == "note"
    assert "shown only this once" in html
    url = html.split('id="intake-url" value="')[1].split('"')[0]
    assert f"/hooks/alerts/{integration.token_hint}" in url and url.endswith("/alertmanager")
    again = client.get(f"{INTEGRATIONS}{integration.pk}/").content.decode()
    assert "shown only this once" not in again and url not in again
    # The URL works.
    posted = Client().post(
        urlsplit(url).path, load("alertmanager"), content_type="application/json"
    )
    assert posted.status_code == 200


def test_the_list_counts_rejected_requests(acme, supervisor, django_assert_max_num_queries):
    for n in range(5):
        _integration, url = integration_create(
            organization=acme, kind="generic", name=f"Tool {n}", by=None
        )
        Client().post(urlsplit(url).path, "not json", content_type="application/json")
    client = signed_in(supervisor)
    with django_assert_max_num_queries(9):
        html = client.get(INTEGRATIONS).content.decode()
    assert html.count("1 rejected") == 5


def test_the_log_gives_the_reason_and_reprocesses(acme, supervisor):
    integration, url = integration_create(
        organization=acme, kind="alertmanager", name="Prometheus", by=None
    )
    acme.is_active = False
    acme.save()
    Client().post(urlsplit(url).path, load("alertmanager"), content_type="application/json")
    entry = IntakeLog.objects.get()
    client = signed_in(supervisor)
    page = f"{INTEGRATIONS}{integration.pk}/"
    html = client.get(page + "?status=rejected").content.decode()
    assert entry.reason and entry.reason[:30] in html
    assert "Re-process" in html
    acme.is_active = True
    acme.save()
    response = client.post(f"{page}log/{entry.pk}/reprocess/", follow=True)
    assert "Re-processed" in response.content.decode()
    assert Ticket.objects.count() == 1
    # An accepted entry cannot be re-processed; the error is a message, not a 500.
    accepted = IntakeLog.objects.exclude(pk=entry.pk).get()
    response = client.post(f"{page}log/{accepted.pk}/reprocess/", follow=True)
    assert response.status_code == 200 and "Only rejected requests" in response.content.decode()


def test_rotating_shows_a_new_url(acme, supervisor):
    integration, url = integration_create(organization=acme, kind="generic", name="Tool", by=None)
    html = (
        signed_in(supervisor)
        .post(f"{INTEGRATIONS}{integration.pk}/rotate/", follow=True)
        .content.decode()
    )
    assert "shown only this once" in html and url not in html
    assert (
        Client().post(urlsplit(url).path, "{}", content_type="application/json").status_code == 404
    )


def test_unknown_integrations_and_foreign_log_entries_are_404(acme, supervisor):
    first, url = integration_create(organization=acme, kind="generic", name="One", by=None)
    second, _url = integration_create(organization=acme, kind="generic", name="Two", by=None)
    Client().post(urlsplit(url).path, "nope", content_type="application/json")
    entry = IntakeLog.objects.get(integration=first)
    client = signed_in(supervisor)
    assert client.get(f"{INTEGRATIONS}999999/").status_code == 404
    assert client.post(f"{INTEGRATIONS}{second.pk}/log/{entry.pk}/reprocess/").status_code == 404
    assert client.post(f"{INTEGRATIONS}999999/rotate/").status_code == 404


def test_agents_cannot_open_the_intake_log_or_rotate(acme, l1_agent):
    integration, _url = integration_create(organization=acme, kind="generic", name="x", by=None)
    hint = integration.token_hint
    client = signed_in(l1_agent)
    assert client.get(f"{INTEGRATIONS}{integration.pk}/").status_code == 403
    assert client.post(f"{INTEGRATIONS}{integration.pk}/rotate/").status_code == 403
    integration.refresh_from_db()
    assert integration.token_hint == hint
