"""What a ticket promises its client, in words: the response time and its deadline."""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import ngettext

from dutydesk.accounts.models import User
from dutydesk.core.zones import zone_or_none, zone_or_utc
from dutydesk.tickets.models import Ticket


def local_time(moment: datetime, zone_name: str) -> str:
    """A moment in a zone, e.g. "Monday 15 March, 09:30 (Europe/Moscow)"; UTC for a bad zone."""
    if zone_or_none(zone_name) is None:
        zone_name = "UTC"
    return f"{date_format(moment.astimezone(zone_or_utc(zone_name)), 'l j E, H:i')} ({zone_name})"


# The first-response promise quoted in confirmations when no SLA policy applies.
DEFAULT_RESPONSE_MINUTES = {"P1": 15, "P2": 60, "P3": 240, "P4": 480}


def promised_response(ticket: Ticket) -> str:
    """How long the first response may take, e.g. "15 minutes" or "4 hours"."""
    if ticket.first_response_due is not None:
        minutes = round((ticket.first_response_due - ticket.created_at).total_seconds() / 60)
    else:
        minutes = DEFAULT_RESPONSE_MINUTES.get(ticket.priority, 240)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def promised_deadline(ticket: Ticket, user: User | None) -> str:
    """When the first response is due, in the reader's zone — or "" when a duration says it
    (the clock runs without a break until then, or there is no SLA).

    A business-hours clock that stops overnight makes "within 30 minutes" a false promise.
    """
    due = ticket.first_response_due
    if due is None or ticket.sla_policy is None:
        return ""
    if ticket.sla_policy.calendar.always_open:
        return ""
    return local_time(due, (user.time_zone if user else "") or ticket.organization.time_zone)
