"""Checks for tests, made through the service so they are validated and scheduled."""

from __future__ import annotations

from typing import Any

from dutydesk.accounts.models import Organization
from dutydesk.monitoring.models import Check
from dutydesk.monitoring.services import check_create


def make_check(organization: Organization, kind: str, config: dict[str, Any], **fields) -> Check:
    fields.setdefault("name", f"{kind} check")
    return check_create(organization=organization, by=None, kind=kind, config=config, **fields)
