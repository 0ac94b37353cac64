"""What alert intake needs from apps built beside it; the lead wires them in an AppConfig.

    from dutydesk.channels.alerts import hooks
    hooks.page_open = oncall.services.page_open                    # P1/P2 incidents page
    hooks.in_maintenance = monitoring.selectors.in_maintenance     # windows silence alerts

Until then an incident pages nobody and no maintenance window is ever open.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from dutydesk.accounts.models import Organization, Team
    from dutydesk.tickets.models import Ticket


class PageOpen(Protocol):
    def __call__(self, *, ticket: Ticket, reason: str, team: Team | None = None) -> Any: ...


class InMaintenance(Protocol):
    def __call__(
        self,
        *,
        organization: Organization,
        at: datetime,
        check: Any = None,
        integration: Any = None,
    ) -> bool: ...


def _page_nobody(*, ticket: Ticket, reason: str, team: Team | None = None) -> None:
    return None


def _never_in_maintenance(
    *, organization: Organization, at: datetime, check: Any = None, integration: Any = None
) -> bool:
    return False


# Called inside the intake transaction, so a page is queued only if the incident commits.
page_open: PageOpen = _page_nobody
in_maintenance: InMaintenance = _never_in_maintenance
