"""Keyset pagination: an opaque cursor holds the sort key of the last row of a page.

No COUNT(*) and no OFFSET, so a page costs the same wherever it is in the list, and rows
inserted or moved while a client walks the pages are never returned twice.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.timezone import is_naive
from django.utils.translation import gettext as _

from dutydesk.api.errors import ApiError

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, model: type[Model], names: list[str]) -> list[Any]:
    """The key values a cursor holds, typed by the model's fields; 422 for a bad cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(names):
            raise ValueError("wrong shape")
        typed = [model._meta.get_field(n).to_python(v) for n, v in zip(names, values, strict=True)]
        if any(v is None or (isinstance(v, datetime) and is_naive(v)) for v in typed):
            raise ValueError("empty key or naive time")
    except (ValueError, TypeError, binascii.Error, ValidationError, FieldDoesNotExist):
        raise ApiError(
            422, _("The cursor is not valid."), {"cursor": _("use next_cursor as returned")}
        ) from None
    return typed


def _after(keys: tuple[str, ...], values: list[Any]) -> Q:
    """Rows that sort after the given key values, for keys like ("-updated_at", "-id")."""
    branches = []
    for i, key in enumerate(keys):
        equal = {k.lstrip("-"): v for k, v in zip(keys[:i], values[:i], strict=True)}
        op = "lt" if key.startswith("-") else "gt"
        branches.append(Q(**equal, **{f"{key.lstrip('-')}__{op}": values[i]}))
    # Redundant, but it is what lets the database use the first key's index as a range
    # condition; without it, a deep page scans and filters every row before it.
    first = keys[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & reduce(or_, branches)


def keyset_page(
    queryset: QuerySet[M], *, keys: tuple[str, ...], cursor: str | None, limit: int
) -> Page[M]:
    """One page of ``queryset`` ordered by ``keys``; the last key must be unique."""
    names = [k.lstrip("-") for k in keys]
    ordered = queryset.order_by(*keys)
    if cursor:
        ordered = ordered.filter(_after(keys, decode_cursor(cursor, queryset.model, names)))
    rows = list(ordered[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    last = rows[limit - 1]
    return Page(items=rows[:limit], next_cursor=encode_cursor([getattr(last, n) for n in names]))
