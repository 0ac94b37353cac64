"""A rejected request can be run again once what made it fail is fixed."""

from __future__ import annotations

import pytest

from dutydesk.channels.alerts.models import IntakeLog
from dutydesk.channels.alerts.services.intake import intake_reprocess
from dutydesk.channels.alerts.tests.payloads import load
from dutydesk.core.models import AuditLog
from dutydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_reprocessing_a_rejected_request_after_the_fix_opens_the_incident(
    make_hook, acme, supervisor
):
    hook = make_hook()
    acme.is_active = False
    acme.save()
    hook.post(load("alertmanager"))
    log = IntakeLog.objects.get()
    acme.is_active = True
    acme.save()
    result = intake_reprocess(log=log, by=supervisor)
    assert result.status == "accepted"
    assert Ticket.objects.count() == 1
    log.refresh_from_db()
    assert log.reprocessed_at is not None
    assert AuditLog.objects.filter(action="alert_intake.reprocessed").exists()


def test_only_rejected_requests_are_reprocessed(make_hook, supervisor):
    hook = make_hook()
    hook.post(load("alertmanager"))
    with pytest.raises(ValueError):
        intake_reprocess(log=IntakeLog.objects.get(), by=supervisor)
