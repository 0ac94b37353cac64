"""The shapes the tickets API reads and writes.

Inputs forbid unknown fields (a typo is a 422, not a silently ignored change). Outputs
name related objects by their public keys: organisation and team by slug, people by email.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Field, Schema
from pydantic import AwareDatetime

from dutydesk.accounts.models import Tier
from dutydesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from dutydesk.api.schemas import StrictSchema, Text
from dutydesk.sla.selectors import TicketSla, ticket_sla
from dutydesk.tickets.models import Attachment, Priority, Status, Ticket, TicketType

# --- input ----------------------------------------------------------------------------


class RequesterIn(StrictSchema):
    email: Text = Field(..., max_length=254)
    name: Text = Field("", max_length=200)


class TicketCreateIn(StrictSchema):
    organization: Text = Field(..., max_length=50, description="The client's slug.")
    subject: Text = Field(..., max_length=255)
    body: Text
    priority: Priority | None = Field(None, description="Routing decides when omitted.")
    type: TicketType | None = None
    category: Text = Field("", max_length=100)
    requester: RequesterIn | None = Field(
        None, description="Who the ticket is for; a customer may omit it (themselves)."
    )


class ReplyIn(StrictSchema):
    body: Text
    internal: bool = Field(False, description="An internal note, never shown to the client.")


class TicketPatchIn(StrictSchema):
    """Only the fields sent are changed; ``team`` and ``assignee`` may be null to clear them."""

    # Typed without None (but defaulting to it): an explicit null is a 422, not a change.
    status: Status = None  # type: ignore[assignment]
    priority: Priority = None  # type: ignore[assignment]
    type: TicketType = None  # type: ignore[assignment]
    category: Text = Field(None, max_length=100)  # type: ignore[assignment]
    tier: Tier = None  # type: ignore[assignment]
    team: Text | None = Field(None, description="A team slug, or null for no team.")
    assignee: Text | None = Field(None, description="A staff email, or null for nobody.")


class EscalateIn(StrictSchema):
    """The escalation template: what happened, what was tried, how urgent, and to whom."""

    summary: Text = Field(..., max_length=500, description="A short description.")
    steps_taken: Text = Field(..., description="What was already done.")
    urgency: Text = Field("", max_length=100, description="The ticket's priority when empty.")
    to_team: Text | None = Field(
        None, max_length=50, description="A team slug; the next tier's first team when omitted."
    )


class TicketFilters(Schema):
    status: Status | None = None
    priority: Priority | None = None
    organization: Text | None = Field(None, description="Organisation slug.")
    team: Text | None = Field(None, description="Team slug.")
    assignee: Text | None = Field(None, description='An email, "me" or "none".')
    updated_since: AwareDatetime | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Text | None = Field(None, max_length=500)


# --- output ---------------------------------------------------------------------------


class PersonOut(Schema):
    email: str
    name: str


def _caller_is_staff(context: Any) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return bool(user is not None and user.is_agent)


class SlaOut(Schema):
    policy: str | None = Field(..., description="The SLA policy's slug; null: no SLA.")
    first_response_due: datetime | None
    next_response_due: datetime | None = Field(
        ..., description="Set while a client message after the first response waits."
    )
    resolution_due: datetime | None = Field(..., description="Null while the clock is paused.")
    unanswered_due: datetime | None = Field(
        ...,
        description="While a client message waits for a public reply: when it has waited "
        "longer than the contract allows (any priority).",
    )
    paused: bool = Field(..., description="Waiting for the client or on hold.")
    breached: list[str] = Field(
        ...,
        description="Targets missed at least once: first_response, next_response, "
        "resolution, unanswered.",
    )


class TicketOut(Schema):
    number: int
    subject: str
    status: str
    priority: str
    type: str
    category: str
    channel: str
    organization: str
    team: str | None = Field(None, description="Shown to staff only: teams are internal.")
    tier: str
    assignee: PersonOut | None
    requester: PersonOut
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: SlaOut

    @staticmethod
    def resolve_organization(obj: Ticket) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_sla(obj: Ticket) -> TicketSla:
        return ticket_sla(obj)

    @staticmethod
    def resolve_team(obj: Ticket, context: Any) -> str | None:
        if obj.team is None or not _caller_is_staff(context):
            return None
        return obj.team.slug


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    message: int | None = Field(None, description="The message it came with, if any.")
    created_at: datetime
    url: str = Field(..., description="Download in the browser (signed-in session).")
    download_url: str = Field(..., description="Download with the API token.")

    @staticmethod
    def resolve_message(obj: Attachment) -> int | None:
        return obj.message_id

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("attachment-download", kwargs={"pk": obj.pk, "filename": obj.filename})

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return reverse(
            "api-v1:ticket_attachment_download",
            kwargs={"number": obj.ticket.number, "attachment_id": obj.pk},
        )


class MessageOut(Schema):
    id: int
    ticket: int = Field(..., description="The ticket's number (a follow-up's, if one opened).")
    author: PersonOut | None
    body: str
    body_html: str
    internal: bool
    direction: str
    channel: str
    created_at: datetime

    @staticmethod
    def resolve_ticket(obj: Any) -> int:
        return obj.ticket.number

    @staticmethod
    def resolve_body(obj: Any) -> str:
        return obj.body_text

    @staticmethod
    def resolve_internal(obj: Any) -> bool:
        return obj.is_internal


class TicketDetailOut(TicketOut):
    """Rendered from a view that holds what the caller may see, never from a bare ticket
    (whose ``messages`` would include internal notes)."""

    messages: list[MessageOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_messages(obj: Any) -> list:
        return obj.visible_messages

    @staticmethod
    def resolve_attachments(obj: Any) -> list:
        return obj.visible_attachments


class EventOut(Schema):
    id: int
    kind: str
    actor: str | None = Field(None, description="The actor's email; null for the system.")
    old_value: str
    new_value: str
    data: dict
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.email if obj.actor else None


# --- macros ---------------------------------------------------------------------------


class MacroFilters(Schema):
    q: Text = Field("", max_length=200, description="Words in the title or the text.")
    ticket: int | None = Field(
        None, description="A ticket number: each macro's text comes rendered for it."
    )


class MacroOut(Schema):
    id: int
    title: str
    body_en: str
    body_ru: str
    as_note: bool = Field(..., description="Posted as an internal note.")
    scope: str = Field(..., description="shared, team or personal.")
    team: str | None = Field(None, description="The team it is shared with.")
    set_status: str
    set_priority: str
    set_team: str | None
    assign_to_me: bool
    rendered: str | None = Field(
        None, description="The text for the ticket asked for, placeholders filled in."
    )

    @staticmethod
    def resolve_scope(obj: Any) -> str:
        return "personal" if obj.owner_id else "team" if obj.team_id else "shared"

    @staticmethod
    def resolve_team(obj: Any) -> str | None:
        return obj.team.slug if obj.team_id else None

    @staticmethod
    def resolve_set_team(obj: Any) -> str | None:
        return obj.set_team.slug if obj.set_team_id else None

    @staticmethod
    def resolve_rendered(obj: Any) -> str | None:
        return getattr(obj, "rendered", None)
