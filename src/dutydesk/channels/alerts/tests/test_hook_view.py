"""The intake URL: secret, method, size and malformed bodies, each answered clearly."""

from __future__ import annotations

import pytest

from dutydesk.channels.alerts.models import Alert, AlertGroup, IntakeLog
from dutydesk.channels.alerts.services.intake import MAX_BODY_BYTES
from dutydesk.channels.alerts.services.integrations import integration_rotate
from dutydesk.channels.alerts.tests.payloads import dumps, load
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_unknown_token_is_404_and_logs_nothing(make_hook, client):
    hook = make_hook()
    response = client.post(
        hook.path.replace(hook.token, "x" * len(hook.token)),
        dumps(load("alertmanager")),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown integration."}
    assert not IntakeLog.objects.exists()


def test_token_of_another_kind_or_an_unknown_kind_is_404(make_hook, client):
    hook = make_hook()
    for kind in ("grafana", "nagios"):
        response = client.post(hook.path.replace("alertmanager", kind), b"{}", "application/json")
        assert response.status_code == 404


def test_inactive_integration_is_404(make_hook):
    hook = make_hook()
    hook.integration.is_active = False
    hook.integration.save()
    assert hook.post(load("alertmanager")).status_code == 404


def test_only_post_is_allowed(make_hook):
    hook = make_hook()
    response = hook.client.get(hook.path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert hook.client.put(hook.path, b"{}").status_code == 405


def test_too_large_body_is_413(make_hook):
    hook = make_hook()
    response = hook.post(b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert response.status_code == 413
    assert not IntakeLog.objects.exists()


def test_malformed_payload_is_400_with_the_reason_and_kept_for_admins(make_hook):
    hook = make_hook()
    data = load("alertmanager")
    del data["alerts"][0]["fingerprint"]
    response = hook.post(data)
    assert response.status_code == 400
    assert response.json() == {"detail": "The field alerts[0].fingerprint is required."}
    log = IntakeLog.objects.get()
    assert log.status == "rejected" and "fingerprint is required" in log.reason
    assert '"groupKey"' in log.body
    assert not (Alert.objects.exists() or AlertGroup.objects.exists() or Ticket.objects.exists())


def test_binary_garbage_is_kept_readable(make_hook):
    hook = make_hook()
    assert hook.post(b"\xff\x00garbage").status_code == 400
    assert IntakeLog.objects.get().body.endswith("garbage")


def test_nothing_is_half_created_when_the_incident_cannot_be_opened(make_hook, acme):
    hook = make_hook()
    acme.is_active = False
    acme.save()
    data = load("alertmanager")
    data["alerts"].append({**data["alerts"][0], "fingerprint": "2222"})
    response = hook.post(data)
    assert response.status_code == 400
    assert "no longer served" in response.json()["detail"]
    assert not (Alert.objects.exists() or AlertGroup.objects.exists() or Ticket.objects.exists())
    assert IntakeLog.objects.get().status == "rejected"


def test_each_secret_reaches_only_its_own_organisation(make_hook, globex):
    acme_hook = make_hook()
    globex_hook = make_hook(organization=globex)
    acme_hook.post(load("alertmanager"))
    globex_hook.post(load("alertmanager"))  # the same alert, another client: its own incident
    assert sorted(Ticket.objects.values_list("organization__slug", flat=True)) == ["acme", "globex"]
    assert Alert.objects.count() == 2


def test_rotating_the_secret_retires_the_old_url(make_hook):
    hook = make_hook()
    new_url = integration_rotate(integration=hook.integration, by=None)
    assert hook.post(load("alertmanager")).status_code == 404
    assert (
        hook.client.post(
            new_url.split("localhost:8000", 1)[-1], dumps(load("alertmanager")), "application/json"
        ).status_code
        == 200
    )
