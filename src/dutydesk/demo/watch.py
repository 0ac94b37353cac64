"""The demo's on-call schedules and monitoring: who is paged, and what is watched."""

from __future__ import annotations

from django.conf import settings

from dutydesk.accounts.models import Organization, Team, User
from dutydesk.monitoring.models import Check
from dutydesk.monitoring.services import check_create
from dutydesk.oncall.demo import oncall_demo_seed


def create_oncall(teams: dict[str, Team], staff: dict[str, User]) -> None:
    oncall_demo_seed(teams=teams, users=staff)


def create_checks(organizations: dict[str, Organization]) -> None:
    """Acme's status page shows the demo's own web portal, and a nightly backup heartbeat
    (seed 001: a missing backup is an incident)."""
    acme = organizations["acme"]
    if Check.objects.filter(organization=acme).exists():
        return
    check_create(
        organization=acme,
        by=None,
        kind="http",
        name="Customer portal",
        component="Web portal",
        interval_seconds=60,
        config={"url": f"{settings.BASE_URL}/healthz", "keyword": "ok"},
    )
    check_create(
        organization=acme,
        by=None,
        kind="heartbeat",
        name="Nightly database backup",
        component="Backups",
        interval_seconds=86400,
        config={"period_seconds": 86400, "grace_seconds": 3600},
    )
