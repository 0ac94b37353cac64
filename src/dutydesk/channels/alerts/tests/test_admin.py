"""Admin pages of alert intake: closed to non-admins; the URL is shown once; re-processing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dutydesk.accounts.models import Role
from dutydesk.channels.alerts.models import IntakeLog, Integration
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.testing.factories import UserFactory
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

CHANGELISTS = ["integration", "alert", "intakelog"]


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@support.test", role=Role.ADMIN, is_superuser=True)


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_render_for_admins(client, admin_user, make_hook, model):
    hook = make_hook()
    hook.post(load("alertmanager"))
    hook.post(b"nonsense")
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:channels_alerts_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_are_closed_to_anonymous_agents_and_customers(client, l1_agent, anna, model):
    url = reverse(f"admin:channels_alerts_{model}_changelist")
    assert client.get(url).status_code == 302
    for user in (l1_agent, anna):
        client.force_login(user)
        assert client.get(url).status_code == 302


def test_creating_an_integration_shows_its_url_once(client, admin_user, acme):
    client.force_login(admin_user)
    form = {
        "organization": acme.pk,
        "name": "Prometheus prod",
        "kind": "alertmanager",
        "is_active": "on",
        "severity_map": '{"critical": "P1", "default": "P3"}',
        "on_resolve": "resolve",
        "flap_minutes": "60",
    }
    response = client.post(reverse("admin:channels_alerts_integration_add"), form, follow=True)
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "<code>" in str(m)]
    url = message.split("<code>")[1].split("</code>")[0]
    assert "/hooks/alerts/" in url and url.endswith("/alertmanager")
    integration = Integration.objects.get()
    assert integration.token_hint and url.split("/")[-2].startswith(integration.token_hint)
    path = url.split("localhost:8000", 1)[1]
    post = client.post(path, load("alertmanager"), content_type="application/json")
    assert post.status_code == 200
    change = client.get(reverse("admin:channels_alerts_integration_change", args=[integration.pk]))
    assert url.split("/")[-2] not in change.content.decode()


def test_invalid_severity_map_is_a_form_error(client, admin_user, acme):
    client.force_login(admin_user)
    form = {
        "organization": acme.pk,
        "name": "x",
        "kind": "generic",
        "severity_map": '{"critical": "urgent"}',
        "on_resolve": "resolve",
        "flap_minutes": "60",
    }
    response = client.post(reverse("admin:channels_alerts_integration_add"), form)
    assert response.status_code == 200
    assert not Integration.objects.exists()


def test_rotate_action_shows_the_new_url(client, admin_user, make_hook):
    hook = make_hook()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:channels_alerts_integration_changelist"),
        {"action": "rotate_secret", "_selected_action": [hook.integration.pk]},
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"] if "<code>" in str(m)]
    assert "/hooks/alerts/" in message
    assert hook.post(load("alertmanager")).status_code == 404


def test_reprocess_action_runs_rejected_requests_again(client, admin_user, make_hook, acme):
    hook = make_hook()
    acme.is_active = False
    acme.save()
    hook.post(load("alertmanager"))
    acme.is_active = True
    acme.save()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:channels_alerts_intakelog_changelist"),
        {
            "action": "reprocess",
            "_selected_action": list(IntakeLog.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Re-processed: 1 accepted, 0 rejected again."]
    assert Ticket.objects.count() == 1
