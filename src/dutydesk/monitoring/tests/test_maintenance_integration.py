"""A maintenance window of one alert integration: its alerts open no incident; other
integrations and the organisation's checks are not affected."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dutydesk.channels.alerts.models import Alert
from dutydesk.channels.alerts.services.integrations import integration_create
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.monitoring.models import ResultStatus, State
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.selectors import in_maintenance
from dutydesk.monitoring.services import maintenance_create, results_record
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _integration(organization, name):
    integration, url = integration_create(
        organization=organization, kind="alertmanager", name=name, by=None
    )
    return integration, urlsplit(url).path


def _window_now(organization, **target):
    now = timezone.now()
    return maintenance_create(
        organization=organization,
        by=None,
        title="Prometheus upgrade",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        **target,
    )


def test_alerts_of_the_integration_in_maintenance_open_no_incident(acme):
    quiet, quiet_path = _integration(acme, "staging")
    loud, loud_path = _integration(acme, "production")
    _window_now(acme, integration=quiet)
    payload = load("alertmanager")

    response = Client().post(quiet_path, payload, content_type="application/json")
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert Alert.objects.filter(integration=quiet, suppressed=True).exists()

    Client().post(loud_path, payload, content_type="application/json")
    assert Ticket.objects.count() == 1
    assert not Alert.objects.filter(integration=loud, suppressed=True).exists()


def test_an_integration_window_leaves_the_checks_alone(acme):
    integration, _path = _integration(acme, "staging")
    check = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 9}, alert_after=1)
    _window_now(acme, integration=integration)
    results_record([(check, Outcome(False, 5, "refused"), timezone.now())])
    check.refresh_from_db()
    assert check.state == State.DOWN
    assert check.results.get().status == ResultStatus.DOWN


def test_the_selector_asks_for_the_integration(acme, globex):
    mine, _p = _integration(acme, "mine")
    other, _q = _integration(acme, "other")
    _window_now(acme, integration=mine)
    now = timezone.now()
    assert in_maintenance(organization=acme, at=now, integration=mine)
    assert not in_maintenance(organization=acme, at=now, integration=other)
    assert not in_maintenance(organization=acme, at=now)


def test_an_organisation_window_silences_every_integration(acme):
    integration, _p = _integration(acme, "any")
    _window_now(acme)
    assert in_maintenance(organization=acme, at=timezone.now(), integration=integration)


def test_the_target_must_be_of_the_organisation_and_only_one(acme, globex):
    foreign, _p = _integration(globex, "theirs")
    with pytest.raises(ValidationError) as error:
        _window_now(acme, integration=foreign)
    assert "integration" in error.value.message_dict
    mine, _q = _integration(acme, "mine")
    check = make_check(acme, "tcp", {"host": "127.0.0.1", "port": 9})
    with pytest.raises(ValidationError) as error:
        _window_now(acme, integration=mine, check=check)
    assert "integration" in error.value.message_dict
