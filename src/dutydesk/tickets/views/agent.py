"""The agent's ticket page and what can be done on it. Every action fetches the ticket
through the scoped selector and calls a service; a refused action is shown next to its form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutydesk.accounts.selectors import user_list
from dutydesk.core.services import access_record
from dutydesk.tickets import selectors
from dutydesk.tickets.errors import TicketError
from dutydesk.tickets.forms import (
    AgentReplyForm,
    AssignForm,
    EscalateForm,
    MacroForm,
    TicketFieldsForm,
    TicketNumberForm,
    as_inbound_attachments,
)
from dutydesk.tickets.models import Message, Ticket
from dutydesk.tickets.services import (
    ticket_assign,
    ticket_escalate,
    ticket_link,
    ticket_merge,
    ticket_reply,
    ticket_take,
    ticket_update,
)
from dutydesk.tickets.services.macros import macro_apply
from dutydesk.tickets.services.placeholders import client_language, macro_render
from dutydesk.tickets.views.present import (
    TIMELINE_SHOWN,
    running_dues,
    shortened,
    sla_state,
    timeline,
)
from dutydesk.tickets.views.queue import staff_required


def _forms(ticket: Ticket, user: Any, **bound: Form) -> dict[str, Form]:
    forms: dict[str, Form] = {
        "reply_form": AgentReplyForm(),
        "fields_form": TicketFieldsForm(
            initial={
                "status": ticket.status,
                "priority": ticket.priority,
                "type": ticket.type,
                "category": ticket.category,
                "team": ticket.team_id,
                "tier": ticket.tier,
            }
        ),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee_id}),
        "escalate_form": EscalateForm(),
        "merge_form": TicketNumberForm(prefix="merge"),
        "link_form": TicketNumberForm(prefix="link"),
        "macro_form": MacroForm(user=user),
    }
    forms.update(bound)
    return forms


def _next_url(request: HttpRequest, number: int) -> str:
    numbers = request.session.get("queue_numbers") or []
    if number in numbers and numbers.index(number) + 1 < len(numbers):
        return reverse("desk:ticket", args=[numbers[numbers.index(number) + 1]])
    return ""


def _shown_messages(messages_: QuerySet[Message], full: bool) -> tuple[list[Message], int]:
    """The messages the shortened timeline can show, and how many others there are.

    It shows the first entry and the latest ``TIMELINE_SHOWN - 1``: the first message and
    the latest ones are enough (events are few and all read), so a long ticket does not
    load, with authors and files, the hundreds of messages it hides.
    """
    if full:
        return list(messages_), 0
    total = messages_.count()
    if total <= TIMELINE_SHOWN:
        return list(messages_), 0
    first = list(messages_.order_by("created_at", "id")[:1])
    latest = list(messages_.order_by("-created_at", "-id")[: TIMELINE_SHOWN - 1])
    shown = first + latest[::-1]
    return shown, total - len(shown)


def _page(request: HttpRequest, ticket: Ticket, status: int = 200, **bound: Form) -> HttpResponse:
    user = request.user
    now = timezone.now()
    full = request.GET.get("full") == "1"
    messages_, skipped = _shown_messages(selectors.message_list(user=user, ticket=ticket), full)
    events = list(selectors.event_list(user=user, ticket=ticket))
    emails = {v for e in events if e.kind == "assignee" for v in (e.old_value, e.new_value) if v}
    names = {u.email: u.display_name for u in user_list(user=user).filter(email__in=emails)}
    loose_files = [
        a for a in selectors.attachment_list(user=user, ticket=ticket) if not a.message_id
    ]
    others = list(
        selectors.ticket_list(user=user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .order_by("-updated_at")[:8]
    )
    contacts = list(
        user_list(user=user).filter(organization_id=ticket.organization_id).order_by("name")[:20]
    )
    related = list(selectors.ticket_queryset(user=user).filter(related=ticket)[:10])
    entries, hidden = shortened(timeline(messages_, events, names), full=full)
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": entries,
        "hidden": hidden + skipped,
        "loose_files": loose_files,
        "sla": sla_state(ticket, now),
        "dues": running_dues(ticket),
        "others": others,
        "contacts": contacts,
        "related": related,
        "next_url": _next_url(request, ticket.number),
        "now": now,
        **_forms(ticket, user, **bound),
    }
    return render(request, "tickets/desk/ticket.html", context, status=status)


@staff_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    access_record(user=request.user, obj=ticket, via="web")
    return _page(request, ticket)


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(reverse("desk:ticket", args=[ticket.number]) + anchor)


def _refused(request: HttpRequest, ticket: Ticket, error: TicketError, form: Form, name: str):
    form.add_error(None, error.message if hasattr(error, "message") else str(error))
    for field, text in (getattr(error, "errors", None) or {}).items():
        if field in form.fields:
            form.add_error(field, text)
    return _page(request, ticket, status=400, **{name: form})


@staff_required
@require_POST
def reply(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = AgentReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, ticket, status=400, reply_form=form)
    internal = form.cleaned_data["kind"] == "note"
    try:
        ticket_reply(
            ticket=ticket,
            by=request.user,
            body=form.cleaned_data["body"],
            internal=internal,
            attachments=as_inbound_attachments(form.cleaned_data["attachments"]),
        )
    except TicketError as error:
        return _refused(request, ticket, error, form, "reply_form")
    messages.success(request, _("Note added.") if internal else _("Reply sent to the client."))
    return _back(ticket, "#composer")


@staff_required
@require_POST
def take(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    try:
        ticket_take(ticket=ticket, by=request.user)
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The ticket is yours."))
    return _back(ticket)


@staff_required
@require_POST
def assign(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _page(request, ticket, status=400, assign_form=form)
    try:
        ticket_assign(ticket=ticket, assignee=form.cleaned_data["assignee"], by=request.user)
    except TicketError as error:
        return _refused(request, ticket, error, form, "assign_form")
    messages.success(request, _("Assignee changed."))
    return _back(ticket)


@staff_required
@require_POST
def update(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = TicketFieldsForm(request.POST)
    if not form.is_valid():
        return _page(request, ticket, status=400, fields_form=form)
    changes = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
    if "team" in request.POST and "tier" not in request.POST:
        changes.pop("tier", None)
    try:
        ticket = ticket_update(ticket=ticket, by=request.user, **changes)
    except TicketError as error:
        return _refused(request, ticket, error, form, "fields_form")
    messages.success(request, _("Ticket updated."))
    if not selectors.ticket_queryset(user=request.user).filter(pk=ticket.pk).exists():
        # Moved to a team the agent does not see: back to the queue rather than a 404.
        return redirect(reverse("desk:queue"))
    return _back(ticket)


@staff_required
@require_POST
def escalate(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return _page(request, ticket, status=400, escalate_form=form)
    try:
        ticket = ticket_escalate(ticket=ticket, by=request.user, **form.cleaned_data)
    except TicketError as error:
        return _refused(request, ticket, error, form, "escalate_form")
    messages.success(request, _("Escalated to %(team)s.") % {"team": ticket.team})
    if not selectors.ticket_queryset(user=request.user).filter(pk=ticket.pk).exists():
        return redirect(reverse("desk:queue"))
    return _back(ticket)


def _other(
    request: HttpRequest, ticket: Ticket, prefix: str
) -> tuple[TicketNumberForm, Ticket | None]:
    form = TicketNumberForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return form, None
    other = (
        selectors.ticket_list(user=request.user).filter(number=form.cleaned_data["number"]).first()
    )
    if other is None:
        form.add_error("number", _("No such ticket among those you can see."))
    return form, other


@staff_required
@require_POST
def merge(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form, target = _other(request, ticket, "merge")
    if target is None:
        return _page(request, ticket, status=400, merge_form=form)
    try:
        target = ticket_merge(source=ticket, target=target, by=request.user)
    except TicketError as error:
        return _refused(request, ticket, error, form, "merge_form")
    messages.success(request, _("Merged into %(ref)s.") % {"ref": target.reference})
    return _back(target)


@staff_required
@require_POST
def link(request: HttpRequest, number: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, number=number)
    form, other = _other(request, ticket, "link")
    if other is None:
        return _page(request, ticket, status=400, link_form=form)
    try:
        ticket_link(ticket=ticket, other=other, by=request.user)
    except TicketError as error:
        return _refused(request, ticket, error, form, "link_form")
    messages.success(request, _("Linked with %(ref)s.") % {"ref": other.reference})
    return _back(ticket)


@staff_required
@require_POST
def macro(request: HttpRequest, number: int) -> HttpResponse:
    """Apply a macro, or (``insert``) put its text, filled in, into the reply box."""
    ticket = selectors.ticket_get(user=request.user, number=number)
    form = MacroForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, ticket, status=400, macro_form=form)
    chosen = form.cleaned_data["macro"]
    if request.POST.get("insert"):
        text = macro_render(
            chosen.body_for(client_language(ticket)), ticket=ticket, agent=request.user
        )
        kind = "note" if chosen.as_note else "reply"
        reply_form = AgentReplyForm(initial={"body": text, "kind": kind})
        return _page(request, ticket, reply_form=reply_form, macro_form=form)
    try:
        ticket = macro_apply(ticket=ticket, macro=chosen, by=request.user)
    except TicketError as error:
        return _refused(request, ticket, error, form, "macro_form")
    messages.success(request, _("Macro “%(title)s” applied.") % {"title": chosen.title})
    return _back(ticket)
