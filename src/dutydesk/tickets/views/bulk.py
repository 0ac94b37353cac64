"""Bulk changes from the queue and the supervisor's dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dutydesk.accounts.models import STAFF_ROLES, User
from dutydesk.tickets import selectors
from dutydesk.tickets.errors import TicketError
from dutydesk.tickets.forms import BulkForm
from dutydesk.tickets.models import ACTIVE_STATUSES, Priority, Status
from dutydesk.tickets.services.bulk import UNCHANGED, tickets_bulk_change
from dutydesk.tickets.views.queue import staff_required


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next") or reverse("desk:queue")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk:queue")
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    changes = {k: data[k] for k in ("status", "priority") if data[k]}
    if data["team"] is not None:
        changes["team"] = data["team"]
    assignee = data["assignee"] if data["assignee"] is not None else UNCHANGED
    if data["unassign"]:
        assignee = None
    if not changes and assignee is UNCHANGED:
        messages.error(request, _("Choose what to change for the selected tickets."))
        return redirect(back)
    tickets = list(selectors.ticket_list(user=request.user).filter(number__in=data["tickets"]))
    try:
        count = tickets_bulk_change(tickets=tickets, by=request.user, assignee=assignee, **changes)
    except TicketError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext("%(n)d ticket changed.", "%(n)d tickets changed.", count) % {"n": count},
        )
    return redirect(back)


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open work by team and priority, the unassigned pile, the oldest waiting, agents' load."""
    if not request.user.sees_all_queues:
        raise PermissionDenied
    active = selectors.ticket_queryset(user=request.user).filter(status__in=ACTIVE_STATUSES)
    by_priority = {p: Count("id", filter=Q(priority=p)) for p in Priority.values}
    teams = list(
        active.values("team__name")
        .annotate(total=Count("id"), **by_priority)
        .order_by("team__name")
    )
    oldest = list(
        active.filter(status__in=[Status.NEW, Status.OPEN])
        .select_related("organization")
        .order_by("created_at")[:5]
    )
    load = list(
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .annotate(
            open_count=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES)
            ),
            p1_count=Count(
                "assigned_tickets",
                filter=Q(
                    assigned_tickets__status__in=ACTIVE_STATUSES, assigned_tickets__priority="P1"
                ),
            ),
            oldest=Min(
                "assigned_tickets__created_at",
                filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES),
            ),
        )
        .order_by("-open_count", "name")
    )
    now = timezone.now()
    totals = active.aggregate(
        total=Count("id"),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        overdue=Count(
            "id",
            filter=Q(first_response_due__lt=now, first_response_at__isnull=True)
            | Q(next_response_due__lt=now)
            | Q(resolution_due__lt=now, resolved_at__isnull=True),
        ),
    )
    return render(
        request,
        "tickets/desk/dashboard.html",
        {
            "teams": teams,
            "priorities": Priority.values,
            "oldest": oldest,
            "load": load,
            "totals": totals,
            "nav": "dashboard",
        },
    )
