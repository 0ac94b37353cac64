"""The client portal: open a ticket, follow it, answer, close it. Clients see only public
messages; every new ticket and message goes through ``ingest`` like any other channel."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutydesk.tickets import selectors
from dutydesk.tickets.errors import TicketError
from dutydesk.tickets.forms import ClientReplyForm, PortalTicketForm, as_inbound_attachments
from dutydesk.tickets.inbound import Inbound
from dutydesk.tickets.models import ACTIVE_STATUSES, Channel, Ticket
from dutydesk.tickets.services import ingest
from dutydesk.tickets.services.portal import ticket_close_by_client
from dutydesk.tickets.views.present import shortened

PAGE_SIZE = 50


def customer_required(view):
    """Signed in as a client; staff use the workspace (a 403 page tells them)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_customer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _form_errors(form: Form, error: TicketError) -> None:
    placed = False
    for field, text in error.errors.items():
        target = "body" if field in ("body", "body_text") else field
        if target in form.fields:
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@customer_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    tickets = selectors.ticket_list(user=request.user)
    if show == "open":
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    elif show == "mine":
        tickets = tickets.filter(requester=request.user)
    tickets = list(tickets.order_by("-updated_at", "-id")[:PAGE_SIZE])
    return render(
        request,
        "tickets/portal/list.html",
        {
            "tickets": tickets,
            "show": show,
            "nav": "portal",
            "sees_all": request.user.organization.customers_see_all_tickets,
        },
    )


@customer_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = PortalTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            result = ingest(
                Inbound(
                    channel=Channel.PORTAL,
                    # The form's token makes a double submit open one ticket, not two.
                    source_id=f"{user.pk}:{data['token']}",
                    sender_email=user.email,
                    sender_name=user.name,
                    subject=data["subject"],
                    body_text=data["body"],
                    organization=user.organization,
                    priority=data["priority"],
                    attachments=as_inbound_attachments(data["attachments"]),
                    submitted_by=user,
                )
            )
        except TicketError as error:
            _form_errors(form, error)
        else:
            return redirect("portal:created", number=result.ticket.number)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "tickets/portal/new.html", {"form": form, "nav": "new"}, status=status)


@customer_required
def ticket_created(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    return render(request, "tickets/portal/created.html", {"ticket": ticket, "nav": "portal"})


def _page(
    request: HttpRequest, ticket: Ticket, form: ClientReplyForm | None = None, status: int = 200
):
    user = request.user
    conversation, hidden = shortened(
        list(selectors.message_list(user=user, ticket=ticket)),
        full=request.GET.get("full") == "1",
    )
    return render(
        request,
        "tickets/portal/ticket.html",
        {
            "ticket": ticket,
            "conversation": conversation,
            "hidden": hidden,
            "loose_files": [
                a for a in selectors.attachment_list(user=user, ticket=ticket) if not a.message_id
            ],
            "form": form or ClientReplyForm(),
            "nav": "portal",
            "now": timezone.now(),
        },
        status=status,
    )


@customer_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _page(request, selectors.ticket_get(user=request.user, number=number))


@customer_required
@require_POST
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    user = request.user
    ticket = selectors.ticket_get(user=user, number=number)
    form = ClientReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = ingest(
                Inbound(
                    channel=Channel.PORTAL,
                    source_id=f"{user.pk}:{uuid.uuid4().hex}",
                    sender_email=user.email,
                    sender_name=user.name,
                    body_text=form.cleaned_data["body"],
                    ticket_number=ticket.number,
                    attachments=as_inbound_attachments(form.cleaned_data["attachments"]),
                    submitted_by=user,
                )
            )
        except TicketError as error:
            _form_errors(form, error)
        else:
            if result.ticket.pk != ticket.pk:
                messages.info(
                    request,
                    _("The ticket was closed long ago, so your message opened %(ref)s.")
                    % {"ref": result.ticket.reference},
                )
            else:
                messages.success(request, _("Your message was sent."))
            return redirect("portal:ticket", number=result.ticket.number)
    return _page(request, ticket, form, status=400)


@customer_required
@require_POST
def ticket_close(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    try:
        ticket_close_by_client(ticket=ticket, by=request.user)
    except TicketError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Thank you! The ticket is closed. Write again any time to reopen it.")
        )
    return redirect("portal:ticket", number=ticket.number)
