"""Status pages of a group of components at /status/<organisation>/<group>, and their
workspace page."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from dutydesk.monitoring.models import StatusGroup
from dutydesk.monitoring.services import status_group_create
from dutydesk.monitoring.tests.status_data import status_history

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(acme, l1_agent):
    with time_machine.travel(NOW, tick=False):
        checks = status_history(acme, l1_agent, NOW)
    status_group_create(
        organization=acme, by=None, name="Storefront", slug="shop", components=["Web shop"]
    )
    return checks


def _get(path, client=None):
    with time_machine.travel(NOW, tick=False):
        return (client or Client()).get(path)


def test_the_group_page_shows_only_its_components(history):
    html = _get("/status/acme/shop").content.decode()
    assert "Web shop" in html and "Public API" not in html
    assert "Acme" in html and "Storefront" in html
    assert html.count('class="bar bar-') == 90
    # The API's outage is not the shop's: the group is operational.
    assert "All systems operational" in html
    assert "We are investigating errors on the API." not in html
    assert "The payment provider is down; we switched over." in html  # the shop's past one
    assert "Database upgrade" in html  # maintenance of the shop's check
    assert 'href="/status/acme/shop.json"' in html


def test_the_group_json(history):
    data = _get("/status/acme/shop.json").json()
    assert data["group"] == {"name": "Storefront", "slug": "shop"}
    assert [c["name"] for c in data["components"]] == ["Web shop"]
    assert data["status"] == "up" and data["active_incidents"] == []
    assert len(data["past_incidents"]) == 1
    # The organisation's own page still has everything.
    whole = _get("/status/acme.json").json()
    assert whole["group"] is None and len(whole["components"]) == 2


def test_an_unknown_group_or_another_organisations_group_is_404(history, globex):
    assert _get("/status/acme/nope").status_code == 404
    assert _get("/status/globex/shop").status_code == 404
    assert _get("/status/globex/shop.json").status_code == 404


def test_groups_need_known_components_and_a_free_address(history, acme):
    with pytest.raises(ValidationError) as error:
        status_group_create(
            organization=acme, by=None, name="X", slug="shop", components=["Nothing"]
        )
    assert set(error.value.message_dict) == {"components", "slug"}


PAGE = "/desk/monitoring/status-pages/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_who_may_manage_status_pages(history, anna, l1_agent, supervisor):
    assert Client().get(PAGE).status_code == 302
    assert signed_in(anna).get(PAGE).status_code == 403
    assert signed_in(l1_agent).get(PAGE).status_code == 403
    response = signed_in(supervisor).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/status/acme/shop" in html and "Public API" in html


def test_a_supervisor_publishes_and_removes_a_group(history, supervisor):
    client = signed_in(supervisor)
    response = client.post(
        PAGE,
        {"organization": "acme", "name": "API", "slug": "api", "components": "Public API\nNope"},
    )
    assert response.status_code == 200
    assert 'id="id_components_error"' in response.content.decode()
    response = client.post(
        PAGE, {"organization": "acme", "name": "API", "slug": "api", "components": "Public API"}
    )
    assert response.status_code == 302
    group = StatusGroup.objects.get(slug="api")
    assert group.components == ["Public API"]
    assert _get("/status/acme/api").status_code == 200
    assert signed_in(supervisor).post(f"{PAGE}{group.pk}/delete/").status_code == 302
    assert not StatusGroup.objects.filter(slug="api").exists()
