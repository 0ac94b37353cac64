"""The intake log is pruned: a month for accepted and duplicate rows, three for rejected."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dutydesk.channels.alerts.models import IntakeLog
from dutydesk.channels.alerts.services.retention import intake_log_prune
from dutydesk.channels.alerts.tests.payloads import load

pytestmark = pytest.mark.django_db


def test_old_log_rows_are_pruned_and_rejected_ones_kept_longer(make_hook):
    hook = make_hook()
    hook.post(load("alertmanager"))
    hook.post(load("alertmanager"))
    hook.post(b"broken")
    assert IntakeLog.objects.count() == 3
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert intake_log_prune() == 2
        assert list(IntakeLog.objects.values_list("status", flat=True)) == ["rejected"]
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert intake_log_prune() == 1
