"""Tickets API: thin handlers that parse, call a selector or service, and render.

Every ticket is fetched through ``tickets.selectors`` (a ticket the caller may not see is
a 404), and every new ticket or client message goes through ``ingest``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.responses import Status

from dutydesk.accounts.models import Team, User
from dutydesk.accounts.selectors import organization_list, team_list, user_list
from dutydesk.api.errors import (
    ApiError,
    attachment_too_large_message,
    refuse_uploads_over_attachment_limit,
)
from dutydesk.api.pagination import keyset_page
from dutydesk.api.schemas import Text, error_responses
from dutydesk.core.services import access_record
from dutydesk.sla.selectors import with_breached
from dutydesk.tickets import selectors
from dutydesk.tickets.inbound import Inbound, InboundAttachment
from dutydesk.tickets.models import Attachment, Channel, Message, Ticket
from dutydesk.tickets.schemas import (
    AttachmentOut,
    EscalateIn,
    EventOut,
    MacroFilters,
    MacroOut,
    MessageOut,
    ReplyIn,
    RequesterIn,
    TicketCreateIn,
    TicketDetailOut,
    TicketFilters,
    TicketOut,
    TicketPage,
    TicketPatchIn,
)
from dutydesk.tickets.services import (
    ingest,
    ticket_assign,
    ticket_escalate,
    ticket_reply,
    ticket_update,
)
from dutydesk.tickets.services.attachments import attachment_add
from dutydesk.tickets.services.macros import macro_apply, macro_render, macros_for

router = Router(tags=["tickets"])

IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    description="Repeat a request safely: the same key and body return the first result.",
)

FILE_RESPONSE = {
    "description": "The file, as a download.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}

# --- helpers --------------------------------------------------------------------------


@dataclass
class TicketView:
    """A ticket with the messages and attachments its viewer may see."""

    ticket: Ticket
    visible_messages: list[Message]
    visible_attachments: list[Attachment]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ticket, name)


def _source_id(user: User, idempotency_key: str | None) -> str:
    # Keys are per caller, so one client's key can never replay another client's request.
    return f"{user.pk}:{idempotency_key}" if idempotency_key else uuid.uuid4().hex


def _mark_replay(response: HttpResponse, duplicate: bool) -> None:
    if duplicate:
        response["Idempotent-Replayed"] = "true"


def _requester(caller: User, given: RequesterIn | None) -> tuple[str, str]:
    """The email and name the ticket is filed for; a customer by default files for themselves."""
    if given is None:
        if caller.is_customer:
            return caller.email, caller.name
        raise ApiError(422, _("The request is not valid."), {"requester": _("required")})
    return given.email, given.name  # ingest refuses a customer filing for someone else


def _filtered(user: User, filters: TicketFilters) -> QuerySet[Ticket]:
    tickets = with_breached(selectors.ticket_list(user=user))
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.organization:
        tickets = tickets.filter(organization__slug=filters.organization)
    if filters.team:
        tickets = tickets.filter(team__slug=filters.team)
    if filters.assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee:
        tickets = tickets.filter(assignee__email=filters.assignee.strip().lower())
    if filters.updated_since:
        tickets = tickets.filter(updated_at__gte=filters.updated_since)
    return tickets


def _team(user: User, slug: str | None, field: str = "team") -> Team | None:
    if slug is None:
        return None
    team = team_list(user=user).filter(slug=slug).first()
    if team is None:
        raise ApiError(422, _("The request is not valid."), {field: _("unknown team")})
    return team


def _staff_member(user: User, email: str | None) -> User | None:
    if email is None:
        return None
    assignee = user_list(user=user).filter(email=email.strip().lower()).first()
    if assignee is None:
        raise ApiError(422, _("The request is not valid."), {"assignee": _("unknown user")})
    return assignee


def _require_staff(user: User, message: str) -> None:
    # The services refuse too; checking first keeps a customer's answer a plain 403
    # instead of a 422 about a team slug they are not allowed to look up.
    if not user.is_agent:
        raise ApiError(403, message)


# --- endpoints ------------------------------------------------------------------------


@router.get("", response={200: TicketPage, **error_responses(422)}, url_name="ticket_list")
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]) -> dict:
    """Tickets the caller may see, most recently updated first; follow ``next_cursor``."""
    page = keyset_page(
        _filtered(request.auth, filters),
        keys=("-updated_at", "-id"),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "",
    response={201: TicketOut, **error_responses(400, 409, 413, 422)},
    url_name="ticket_create",
)
def ticket_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketCreateIn,
    idempotency_key: Text | None = IDEMPOTENCY_KEY,
) -> Status:
    """Open a ticket. A retry with the same Idempotency-Key and body answers 201 with the
    same ticket and ``Idempotent-Replayed: true``; the same key with another body is a 409."""
    user = request.auth
    organization = organization_list(user=user).filter(slug=payload.organization).first()
    if organization is None:
        raise ApiError(
            422, _("The request is not valid."), {"organization": _("unknown organisation")}
        )
    email, name = _requester(user, payload.requester)
    result = ingest(
        Inbound(
            channel=Channel.API,
            source_id=_source_id(user, idempotency_key),
            sender_email=email,
            sender_name=name,
            subject=payload.subject,
            body_text=payload.body,
            organization=organization,
            priority=payload.priority or "",
            type=payload.type or "",
            category=payload.category,
            submitted_by=user,
        )
    )
    _mark_replay(response, result.duplicate)
    return Status(201, result.ticket)


@router.get(
    "/macros",
    response={200: list[MacroOut], **error_responses(403, 404, 422)},
    url_name="ticket_macro_list",
)
def ticket_macro_list(request: HttpRequest, filters: Query[MacroFilters]) -> Any:
    """Canned replies and macros the caller may use (staff only), searchable; with
    ``ticket`` each text comes rendered for that ticket in its client's language."""
    user = request.auth
    _require_staff(user, _("Only support staff can use macros."))
    macros = list(macros_for(user=user, search=filters.q)[:200])
    if filters.ticket is not None:
        ticket = selectors.ticket_get(user=user, number=filters.ticket)
        for macro in macros:
            text = macro.body_for(ticket.requester.language or ticket.organization.language)
            macro.rendered = macro_render(text, ticket=ticket, agent=user)
    return macros


@router.post(
    "/{number}/macros/{macro_id}/apply",
    response={200: TicketOut, **error_responses(403, 404, 422)},
    url_name="ticket_macro_apply",
)
def ticket_macro_apply(request: HttpRequest, number: int, macro_id: int) -> Ticket:
    """Apply a macro (staff only): its reply or note is posted and its changes made, all
    together or none."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    _require_staff(user, _("Only support staff can use macros."))
    macro = macros_for(user=user).filter(pk=macro_id).first()
    if macro is None:
        raise ApiError(404, _("Not found."))
    return macro_apply(ticket=ticket, macro=macro, by=user)


@router.get(
    "/{number}",
    response={200: TicketDetailOut, **error_responses(404, 422)},
    url_name="ticket_detail",
)
def ticket_detail(request: HttpRequest, number: int) -> TicketView:
    """The ticket with its conversation; clients never see internal notes."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    access_record(user=user, obj=ticket, via="api")
    return TicketView(
        ticket=ticket,
        visible_messages=list(selectors.message_list(user=user, ticket=ticket)),
        visible_attachments=list(selectors.attachment_list(user=user, ticket=ticket)),
    )


@router.patch(
    "/{number}",
    response={200: TicketOut, **error_responses(400, 403, 404, 413, 422)},
    url_name="ticket_update",
)
def ticket_patch(request: HttpRequest, number: int, payload: TicketPatchIn) -> Ticket:
    """Change fields (staff only). All changes apply together or none does."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    _require_staff(user, _("Only support staff can change tickets."))
    changes = payload.model_dump(exclude_unset=True, mode="json")
    assign = "assignee" in changes
    assignee = _staff_member(user, changes.pop("assignee", None))
    if "team" in changes:
        changes["team"] = _team(user, changes["team"])
    with transaction.atomic():
        if changes:
            ticket = ticket_update(ticket=ticket, by=user, **changes)
        if assign:
            ticket = ticket_assign(ticket=ticket, assignee=assignee, by=user)
    # Rendered from the updated row: after a team change the caller may no longer see it.
    return ticket


@router.post(
    "/{number}/escalate",
    response={200: TicketOut, **error_responses(400, 403, 404, 413, 422)},
    url_name="ticket_escalate",
)
def ticket_escalate_create(request: HttpRequest, number: int, payload: EscalateIn) -> Ticket:
    """Hand the ticket to a higher tier (staff only) with the escalation template, stored as
    an internal note and sent to the target team. The SLA clocks keep running."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    _require_staff(user, _("Only support staff can escalate tickets."))
    return ticket_escalate(
        ticket=ticket,
        by=user,
        summary=payload.summary,
        steps_taken=payload.steps_taken,
        urgency=payload.urgency,
        to_team=_team(user, payload.to_team, field="to_team"),
    )


@router.post(
    "/{number}/replies",
    response={201: MessageOut, **error_responses(400, 403, 404, 409, 413, 422)},
    url_name="ticket_reply",
)
def ticket_reply_create(
    request: HttpRequest,
    response: HttpResponse,
    number: int,
    payload: ReplyIn,
    idempotency_key: Text | None = IDEMPOTENCY_KEY,
) -> Status:
    """Staff reply or add an internal note. A client's message goes through ingest, which
    honours Idempotency-Key and may reopen the ticket (or open a follow-up); staff replies
    ignore the key for now."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    if user.is_agent:
        message = ticket_reply(ticket=ticket, by=user, body=payload.body, internal=payload.internal)
        return Status(201, message)
    if payload.internal:
        raise ApiError(403, _("Only support staff can write internal notes."))
    result = ingest(
        Inbound(
            channel=Channel.API,
            source_id=_source_id(user, idempotency_key),
            sender_email=user.email,
            sender_name=user.name,
            body_text=payload.body,
            ticket_number=ticket.number,
            submitted_by=user,
        )
    )
    _mark_replay(response, result.duplicate)
    return Status(201, result.message)


@router.get(
    "/{number}/events",
    response={200: list[EventOut], **error_responses(404, 422)},
    url_name="ticket_events",
)
def ticket_events(request: HttpRequest, number: int) -> Any:
    """The timeline; it is internal, so clients get an empty list."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    return selectors.event_list(user=user, ticket=ticket)


@router.post(
    "/{number}/attachments",
    response={201: AttachmentOut, **error_responses(400, 404, 413, 422)},
    url_name="ticket_attachment_add",
)
@decorate_view(refuse_uploads_over_attachment_limit)
def ticket_attachment_add(request: HttpRequest, number: int, file: File[UploadedFile]) -> Status:
    """Add a file to the ticket (multipart field ``file``); it is visible to everyone who
    sees the ticket. Larger than the attachment limit: 413."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ApiError(413, attachment_too_large_message(limit))
    item = InboundAttachment(
        filename=file.name or "", content=file.read(), content_type=file.content_type or ""
    )
    return Status(201, attachment_add(ticket=ticket, by=user, item=item))


@router.get(
    "/{number}/attachments/{attachment_id}",
    response={200: None, **error_responses(404, 422)},
    url_name="ticket_attachment_download",
    openapi_extra={"responses": {200: FILE_RESPONSE}},
)
def ticket_attachment_download(
    request: HttpRequest, number: int, attachment_id: int
) -> FileResponse:
    """The file itself, always as a download."""
    user = request.auth
    ticket = selectors.ticket_get(user=user, number=number)
    attachment = selectors.attachment_get(user=user, pk=attachment_id)
    if attachment.ticket_id != ticket.pk:
        raise ApiError(404, _("Not found."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise ApiError(404, _("The file of this attachment is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
