"""The intake URLs are served past the browser middleware (core.machine)."""

from __future__ import annotations

import pytest
from django.urls import resolve

from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.core.tests.test_connections import health_checks_on

pytestmark = pytest.mark.django_db


def test_an_answer_carries_no_session_or_csp_headers_but_its_length(make_hook):
    hook = make_hook()
    response = hook.post(load("alertmanager"))
    assert response.status_code == 200
    assert response.wsgi_request.resolver_match.url_name == "alerts-hook"
    assert not hasattr(response.wsgi_request, "session")  # no session, no signed-in user
    assert not hasattr(response.wsgi_request, "user")
    assert response["Vary"] == "Accept-Language"  # not Cookie: no session
    assert "Content-Security-Policy" not in response
    assert response["Content-Length"] == str(len(response.content))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"  # the security middleware still ran
    assert response["Content-Language"] == "en"


def test_an_error_is_in_the_language_the_request_asks_for(make_hook):
    hook = make_hook()
    response = hook.client.post(
        hook.path.replace(hook.token, "x" * len(hook.token)),
        b"{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Неизвестная интеграция."}
    assert response["Content-Language"] == "ru"
    assert make_hook().post(b"{}")["Content-Language"] == "en"  # not left over in the thread


def test_a_session_cookie_is_not_read(make_hook, client, l1_agent):
    client.force_login(l1_agent)
    hook = make_hook()
    response = client.post(hook.path, b"{}", content_type="application/json")
    assert response.status_code == 400  # answered by the hook, not sent to the second factor
    assert not hasattr(response.wsgi_request, "user")


def test_unknown_paths_under_hooks_take_the_whole_stack(client):
    for path in ("/hooks/alerts/pagerduty/v2/enqueue/nothing-here", "/hooks/nothing"):
        response = client.post(path, b"{}", content_type="application/json")
        assert response.status_code == 404
        assert "Content-Security-Policy" in response  # not marked as a machine endpoint


def test_a_repeat_skips_the_connection_health_check(make_hook):
    hook = make_hook()
    hook.post(load("alertmanager"))
    with health_checks_on() as checks:
        assert hook.post(load("alertmanager")).json()["status"] == "duplicate"
    assert checks == []


@pytest.mark.parametrize(
    "path",
    [
        "/hooks/alerts/t0k3n/alertmanager",
        "/hooks/phone/t0k3n",
        "/hooks/telegram/p4th",
        "/ping/6f1c2a58-6c4e-4d8e-9a55-3f0e8c0b9d11",
        "/ping/6f1c2a58-6c4e-4d8e-9a55-3f0e8c0b9d11/start",
        "/ping/6f1c2a58-6c4e-4d8e-9a55-3f0e8c0b9d11/fail",
    ],
)
def test_every_machine_url_is_a_machine_endpoint(path):
    assert getattr(resolve(path).func, "machine_endpoint", False)
