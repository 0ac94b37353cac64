"""Small query helpers for the hot paths."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def one_or_none(queryset: models.QuerySet[M]) -> M | None:
    """The row of a lookup by a unique key, or None.

    ``.first()`` adds ``ORDER BY pk`` to an unordered query (or keeps the model's default
    ordering); for a single row that ordering is pointless, and compiling it costs about
    as much as running a primary-key lookup on SQLite.
    """
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None
