"""Where other apps call on-call: new urgent tickets, SLA alerts, alert intake, checks'
incidents, Telegram buttons."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from dutydesk.accounts.models import Team
from dutydesk.channels.alerts import hooks as alert_hooks
from dutydesk.channels.telegram.callbacks import telegram_callback_register
from dutydesk.monitoring import incidents as monitoring_incidents
from dutydesk.oncall.paging import Reason, page_button_pressed, page_if_urgent, page_open
from dutydesk.sla.paging import pager_register
from dutydesk.tickets.models import Ticket
from dutydesk.tickets.signals import ticket_opened


def _ticket_opened(sender: type, *, ticket: Ticket, **kwargs: Any) -> None:
    page_if_urgent(ticket=ticket)


def sla_pager(*, ticket: Ticket, reason: str, due: datetime) -> bool:
    """The SLA sweep's pager: a client waiting too long, or a breach whose action is to page."""
    page_open(
        ticket=ticket, reason=Reason.UNANSWERED if reason == "unanswered" else Reason.SLA_BREACH
    )
    return True


def alert_pager(*, ticket: Ticket, reason: str, team: Team | None = None) -> None:
    # The same reason as a new urgent ticket's page, so an incident opened by an alert is
    # paged once whichever path gets there first.
    page_open(ticket=ticket, reason=Reason.URGENT, team=team)


def connect() -> None:
    ticket_opened.connect(_ticket_opened, dispatch_uid="oncall-page-if-urgent")
    pager_register(sla_pager)
    alert_hooks.page_open = alert_pager
    monitoring_incidents.incident_pager = alert_pager
    # The Telegram channel calls an action with (user, ref) only: the action is bound here.
    for action in ("page_ack", "page_resolve"):
        telegram_callback_register(action, partial(page_button_pressed, action=action))
