import pytest
from django.urls import reverse

from dutydesk.accounts.models import ApiToken, Role
from dutydesk.core.models import AuditLog
from dutydesk.testing.factories import UserFactory, inbound
from dutydesk.tickets.services import ingest

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "accounts_user",
    "accounts_organization",
    "accounts_team",
    "accounts_apitoken",
    "tickets_ticket",
    "tickets_routingrule",
    "core_auditlog",
    "core_accesslog",
    "notify_delivery",
    "sla_businesscalendar",
]


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@support.test", role=Role.ADMIN, is_superuser=True)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_admin_changelists_render(client, admin_user, acme, anna, name):
    ingest(inbound(organization=acme))
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_admin_is_closed_to_agents_and_customers(client, l1_agent, anna):
    for user in (l1_agent, anna):
        client.force_login(user)
        response = client.get(reverse("admin:tickets_ticket_changelist"))
        assert response.status_code == 302


def test_admin_edit_of_configuration_is_audited(client, admin_user, acme):
    client.force_login(admin_user)
    url = reverse("admin:accounts_organization_change", args=[acme.pk])
    form = {
        "name": "Acme Corp",
        "slug": "acme",
        "time_zone": "UTC",
        "language": "en",
        "default_team": acme.default_team_id,
        "email_domains": "acme.test",
        "customers_see_all_tickets": "on",
        "support_hours": "24x7",
        "is_active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content
    row = AuditLog.objects.get(action="organization.changed")
    assert row.changes["name"] == ["Acme", "Acme Corp"] and row.actor == admin_user


def test_admin_creates_a_token_and_shows_it_once(client, admin_user, l1_agent):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": l1_agent.pk, "name": "monitoring"},
        follow=True,
    )
    token = ApiToken.objects.get(name="monitoring")
    text = response.content.decode()
    assert token.prefix in text and "copy it now" in text
