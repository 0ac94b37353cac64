"""The agent's queue: views, filters, search, sorting and keyset pages of tickets."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dutydesk.accounts.models import User
from dutydesk.tickets import selectors
from dutydesk.tickets.forms import QueueFilterForm
from dutydesk.tickets.models import (
    ACTIVE_STATUSES,
    Priority,
    Status,
    Ticket,
    sla_due_expression,
)
from dutydesk.tickets.views.present import sla_state

PAGE_SIZE = 50

SORT_KEYS: dict[str, tuple[str, ...]] = {
    "updated": ("-updated_at", "-id"),
    "priority": ("priority", "created_at", "id"),
    "age": ("created_at", "id"),
    "sla": ("sla_due", "id"),
}
DATETIME_KEYS = {"updated_at", "created_at", "sla_due"}


def staff_required(view):
    """Signed in and staff: a customer who types a workspace address gets a 403 page."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def with_sla_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The nearest due of the running clocks; tickets without one sort last."""
    return tickets.annotate(sla_due=sla_due_expression())


def queue_tickets(user: User, data: dict[str, Any]) -> QuerySet[Ticket]:
    """The tickets of a queue view with its filters, scoped to what the user may see."""
    tickets = selectors.ticket_list(user=user)
    view = data.get("view") or "mine"
    if data.get("status"):
        tickets = tickets.filter(status=data["status"])
    elif view != "recent":
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if view == "mine":
        tickets = tickets.filter(assignee=user)
    elif view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif view == "team":
        # A list, not a subquery: for the usual one team the database then reads the
        # team's open tickets in order from its index.
        tickets = tickets.filter(team__in=list(user.teams.values_list("pk", flat=True)))
    for field in ("priority", "tier", "channel"):
        if data.get(field):
            tickets = tickets.filter(**{field: data[field]})
    for field in ("organization", "team", "assignee"):
        if data.get(field) is not None:
            tickets = tickets.filter(**{field: data[field]})
    query = (data.get("q") or "").strip()
    if query:
        match = (
            Q(subject__icontains=query)
            | Q(requester__email__icontains=query)
            | Q(requester__name__icontains=query)
        )
        digits = query.lstrip("#")
        if digits.isdigit() and len(digits) < 19:
            match |= Q(number=int(digits))
        tickets = tickets.filter(match)
    return tickets


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, names: list[str]) -> list[Any] | None:
    """The key values of a cursor, or None when it is not one of ours (the first page then)."""
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(values, list) or len(values) != len(names):
            return None
        typed = []
        for name, value in zip(names, values, strict=True):
            if name in DATETIME_KEYS:
                value = datetime.fromisoformat(value)
                if timezone.is_naive(value):
                    return None
            elif name == "id":
                value = int(value)
            elif not isinstance(value, str):
                return None
            typed.append(value)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None
    return typed


def _after(keys: tuple[str, ...], values: list[Any]) -> Q:
    branches = []
    for i, key in enumerate(keys):
        equal = {k.lstrip("-"): v for k, v in zip(keys[:i], values[:i], strict=True)}
        op = "lt" if key.startswith("-") else "gt"
        branches.append(Q(**equal, **{f"{key.lstrip('-')}__{op}": values[i]}))
    first = keys[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & reduce(or_, branches)


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str | None


def queue_page(tickets: QuerySet[Ticket], *, sort: str, cursor: str) -> QueuePage:
    keys = SORT_KEYS.get(sort, SORT_KEYS["updated"])
    names = [k.lstrip("-") for k in keys]
    ordered = with_sla_due(tickets).order_by(*keys)
    if cursor and (values := _decode(cursor, names)) is not None:
        ordered = ordered.filter(_after(keys, values))
    rows = list(ordered[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return QueuePage(rows, None)
    last = rows[PAGE_SIZE - 1]
    return QueuePage(rows[:PAGE_SIZE], _encode([getattr(last, n) for n in names]))


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """A queue of tickets; an htmx poll gets only the results, with the same filters."""
    params = request.GET.copy()
    view = params.get("view") or "mine"
    if not params.get("sort"):
        # The form shows the order the list really has.
        params["sort"] = "updated" if view == "recent" else "priority"
    form = QueueFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "mine"
    sort = data.get("sort") or "priority"
    page = queue_page(queue_tickets(request.user, data), sort=sort, cursor=data.get("cursor", ""))
    now = timezone.now()
    rows = [(t, sla_state(t, now)) for t in page.tickets]
    # "j" on a ticket page walks this list.
    request.session["queue_numbers"] = [t.number for t in page.tickets]
    params = request.GET.copy()
    params.pop("cursor", None)
    fields = filter_fields(form)
    by_name = {f["name"]: f["choices"] for f in fields}
    context = {
        "form": form,
        "filter_fields": fields,
        "bulk_teams": [c for c in by_name["team"] if c[0]],
        "bulk_assignees": [c for c in by_name["assignee"] if c[0]],
        "rows": rows,
        "view": view,
        "sort": sort,
        "nav": view,
        "next_cursor": page.next_cursor,
        "params": params.urlencode(),
        "params_without_sort": _without(params, "sort"),
        "params_without_view": _without(params, "view"),
        "cursor": data.get("cursor", ""),
        "refresh_seconds": settings.QUEUE_REFRESH_SECONDS,
        "now": now,
        "bulk_status_choices": Status.choices,
        "bulk_priority_choices": Priority.choices,
    }
    if request.htmx:
        return render(request, "tickets/desk/_queue_results.html", context)
    return render(request, "tickets/desk/queue.html", context)


FILTERS = ("status", "priority", "organization", "team", "tier", "assignee", "channel", "sort")


def filter_fields(form: QueueFilterForm) -> list[dict[str, Any]]:
    """The filter selects as plain data: a template loop over options is many times cheaper
    than Django's widget rendering, which renders a template per option."""
    fields = []
    for name in FILTERS:
        bound = form[name]
        value = bound.value()
        fields.append(
            {
                "name": name,
                "id": bound.auto_id,
                "label": bound.label,
                "value": "" if value is None else str(value),
                "choices": [(str(v), str(label)) for v, label in form.fields[name].choices],
            }
        )
    return fields


def _without(params: Any, name: str) -> str:
    copy = params.copy()
    copy.pop(name, None)
    return copy.urlencode()
