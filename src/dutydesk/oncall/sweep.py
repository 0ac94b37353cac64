"""The paging sweep: run the escalation steps that have come due, found by the
``next_step_at`` index. Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so sweeps and fast-path tasks may run at once without paging twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dutydesk.oncall.models import Page, PageStatus
from dutydesk.oncall.paging import page_advance

logger = logging.getLogger(__name__)

# A page whose step fails (a broken policy row) is tried again after this.
RETRY_BROKEN_AFTER = timedelta(minutes=1)


def _due(now: datetime):
    return Page.objects.filter(status=PageStatus.OPEN, next_step_at__lte=now)


def pages_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Run the due step of up to ``limit`` pages; return how many were advanced."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        pages = list(
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__organization", "policy", "team")
            .order_by("next_step_at", "pk")[:limit]
        )
        for page in pages:
            try:
                with transaction.atomic():
                    page_advance(page, now=now)
                    done += 1
            except Exception:
                logger.exception("on-call sweep skipped page %s", page.pk)
                Page.objects.filter(pk=page.pk).update(next_step_at=now + RETRY_BROKEN_AFTER)
    return done


def page_step_if_due(page_id: int, *, now: datetime | None = None) -> bool:
    """The fast path for one page: advance it if it is still open and due, else nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        page = (
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__organization", "policy", "team")
            .filter(pk=page_id)
            .first()
        )
        if page is None:
            return False
        page_advance(page, now=now)
        return True
