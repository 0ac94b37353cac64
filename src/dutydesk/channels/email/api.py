"""Admin API of the email channel: mailboxes and the quarantine (mount at /channels)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from dutydesk.accounts.models import Role, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.channels.email.imap import ImapError, connection_test
from dutydesk.channels.email.mailboxes import mailbox_create, mailbox_delete, mailbox_update
from dutydesk.channels.email.models import Mailbox, QuarantinedMessage
from dutydesk.channels.email.services import quarantine_discard, quarantine_reprocess

router = Router(tags=["channels"])


def _admin(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise ApiError(403, _("Only admins manage mailboxes."))
    return user


class MailboxOut(Schema):
    id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    folder: str
    organization: str | None = Field(None, description="Slug; null routes by sender domain.")
    from_address: str
    after_processing: str
    processed_folder: str
    is_active: bool
    uidvalidity: int | None
    last_uid: int
    last_error: str
    last_polled_at: datetime | None

    @staticmethod
    def resolve_organization(obj: Mailbox) -> str | None:
        return obj.organization.slug if obj.organization else None


class MailboxIn(StrictSchema):
    name: Text = Field(..., max_length=100)
    host: Text = Field(..., max_length=255)
    port: int = 993
    security: Text = "tls"
    username: Text = Field(..., max_length=255)
    password: Text = Field(..., max_length=500)
    folder: Text = Field("INBOX", max_length=255)
    organization: Text | None = None
    from_address: Text = Field(..., max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    after_processing: Text = "seen"
    processed_folder: Text = Field("", max_length=255)
    is_active: bool = True


class MailboxPatch(StrictSchema):
    name: Text | None = Field(None, max_length=100)
    host: Text | None = Field(None, max_length=255)
    port: int | None = None
    security: Text | None = None
    username: Text | None = Field(None, max_length=255)
    password: Text | None = Field(None, max_length=500)
    folder: Text | None = Field(None, max_length=255)
    organization: Text | None = None
    from_address: Text | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    after_processing: Text | None = None
    processed_folder: Text | None = Field(None, max_length=255)
    is_active: bool | None = None


class TestOut(Schema):
    ok: bool
    answer: str


class QuarantineOut(Schema):
    id: int
    mailbox: int | None = Field(None, alias="mailbox_id")
    received_at: datetime
    message_id: str
    sender: str
    subject: str
    size: int
    reason: str
    detail: str
    status: str
    ticket: int | None = None

    @staticmethod
    def resolve_ticket(obj: QuarantinedMessage) -> int | None:
        return obj.ticket.number if obj.ticket else None


class QuarantineFilter(Schema):
    status: Text = Field("held", pattern="^(held|reprocessed|discarded)$")
    limit: int = Field(50, ge=1, le=200)


class ReprocessOut(Schema):
    outcome: str


@router.get("/mailboxes", response={200: list[MailboxOut], **error_responses(403)})
def mailbox_list(request: HttpRequest) -> list[Mailbox]:
    _admin(request)
    return list(Mailbox.objects.select_related("organization").order_by("name", "pk"))


@router.post("/mailboxes", response={201: MailboxOut, **error_responses(403, 422)})
def mailbox_add(request: HttpRequest, body: MailboxIn) -> Status:
    return Status(201, mailbox_create(by=_admin(request), **body.dict()))


@router.get("/mailboxes/{mailbox_id}", response={200: MailboxOut, **error_responses(403, 404)})
def mailbox_detail(request: HttpRequest, mailbox_id: int) -> Mailbox:
    _admin(request)
    return get_object_or_404(Mailbox.objects.select_related("organization"), pk=mailbox_id)


@router.patch(
    "/mailboxes/{mailbox_id}", response={200: MailboxOut, **error_responses(403, 404, 422)}
)
def mailbox_change(request: HttpRequest, mailbox_id: int, body: MailboxPatch) -> Mailbox:
    user = _admin(request)
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    return mailbox_update(mailbox=mailbox, by=user, **body.dict(exclude_unset=True))


@router.delete("/mailboxes/{mailbox_id}", response={204: None, **error_responses(403, 404)})
def mailbox_remove(request: HttpRequest, mailbox_id: int) -> Status:
    user = _admin(request)
    mailbox_delete(mailbox=get_object_or_404(Mailbox, pk=mailbox_id), by=user)
    return Status(204, None)


@router.post("/mailboxes/{mailbox_id}/test", response={200: TestOut, **error_responses(403, 404)})
def mailbox_test(request: HttpRequest, mailbox_id: int) -> dict:
    """Log in and select the folder; the server's answer either way."""
    _admin(request)
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    try:
        return {"ok": True, "answer": connection_test(mailbox)}
    except ImapError as exc:
        return {"ok": False, "answer": str(exc)}


@router.get("/quarantine", response={200: list[QuarantineOut], **error_responses(403, 422)})
def quarantine_list(request: HttpRequest, filters: Query[QuarantineFilter]) -> list:
    _admin(request)
    items = QuarantinedMessage.objects.filter(status=filters.status).select_related("ticket")
    return list(items[: filters.limit])


@router.post(
    "/quarantine/{item_id}/reprocess",
    response={200: ReprocessOut, **error_responses(403, 404)},
)
def quarantine_retry(request: HttpRequest, item_id: int) -> dict:
    user = _admin(request)
    item = get_object_or_404(QuarantinedMessage, pk=item_id)
    return {"outcome": quarantine_reprocess(item=item, by=user)}


@router.post("/quarantine/{item_id}/discard", response={204: None, **error_responses(403, 404)})
def quarantine_drop(request: HttpRequest, item_id: int) -> Status:
    quarantine_discard(item=get_object_or_404(QuarantinedMessage, pk=item_id), by=_admin(request))
    return Status(204, None)
