"""Who is alerted when the SLA needs a person now: the hook the on-call app fills.

The on-call app registers its pager once (in its ``AppConfig.ready``)::

    from dutydesk.sla.paging import pager_register
    pager_register(page_open)

or the deployment names it in the setting ``SLA_PAGER`` (a dotted path). A pager is
called inside the sweep's transaction, keyword arguments only::

    page_open(*, ticket: Ticket, reason: str, due: datetime) -> bool

``reason`` is ``"unanswered"`` (a client message waited past the policy's limit, seed 004)
or the SLA target whose breach asks for a page (``"first_response"``, ``"next_response"``,
``"resolution"``). It returns True when it paged somebody (queued through the outbox);
False means nobody is on duty, and DutyDesk falls back to its own notice. A pager that
raises is logged and treated as False, so a broken pager never stops the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from dutydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)

UNANSWERED = "unanswered"


class Pager(Protocol):
    def __call__(self, *, ticket: Ticket, reason: str, due: datetime) -> bool: ...


_registered: list[Pager] = []


def pager_register(pager: Pager) -> None:
    """Make ``pager`` the one that is called; registering again replaces it."""
    _registered[:] = [pager]


def pager_unregister() -> None:
    _registered.clear()


def pager_current() -> Pager | None:
    """The registered pager, else the one the ``SLA_PAGER`` setting names, else None."""
    if _registered:
        return _registered[0]
    path = getattr(settings, "SLA_PAGER", "")
    return import_string(path) if path else None


def page(*, ticket: Ticket, reason: str, due: datetime, fallback: Callable[[], object]) -> bool:
    """Page the person on duty for ``ticket``; when nobody was paged, run ``fallback``.

    Returns whether a pager paged somebody. The pager runs in a savepoint: its database
    errors roll back its own writes only.
    """
    paged = False
    try:
        pager = pager_current()
        if pager is not None:
            with transaction.atomic():
                paged = bool(pager(ticket=ticket, reason=reason, due=due))
    except Exception:
        logger.exception("SLA pager failed for ticket %s (%s)", ticket.pk, reason)
        paged = False
    if not paged:
        fallback()
    return paged
