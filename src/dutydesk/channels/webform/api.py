"""API of the web form channel: the forms, for admins.

Mount with ``api.add_router("/channels", build_router())``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from dutydesk.accounts.models import Organization, Role, Team, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.channels.webform.embed import embed_snippet, public_url
from dutydesk.channels.webform.models import WebForm, origin_list
from dutydesk.channels.webform.services import webform_create, webform_delete, webform_update

PriorityIn = Literal["", "P1", "P2", "P3", "P4"]
TypeIn = Literal["", "incident", "request", "question", "problem"]


class WebFormOut(Schema):
    id: int
    name: str
    key: str = Field(description="The secret part of the public URL.")
    url: str
    embed_code: str = Field(description="HTML to paste into an allowed site.")
    organization: str | None = Field(description="Slug; null: found from the sender.")
    team: str | None
    priority: str
    type: str
    category: str
    allowed_origins: list[str]
    ask_phone: bool
    ask_company: bool
    allow_attachments: bool
    intro: str
    success_message: str
    is_active: bool
    created_at: datetime

    @staticmethod
    def resolve_key(obj: WebForm) -> str:
        return obj.slug

    @staticmethod
    def resolve_url(obj: WebForm) -> str:
        return public_url(obj)

    @staticmethod
    def resolve_embed_code(obj: WebForm) -> str:
        return embed_snippet(obj)

    @staticmethod
    def resolve_organization(obj: WebForm) -> str | None:
        return obj.organization.slug if obj.organization else None

    @staticmethod
    def resolve_team(obj: WebForm) -> str | None:
        return obj.team.slug if obj.team else None

    @staticmethod
    def resolve_allowed_origins(obj: WebForm) -> list[str]:
        return obj.origins


class WebFormPatch(StrictSchema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    organization: Text | None = Field(None, max_length=50, description='Slug; "" for none.')
    team: Text | None = Field(None, max_length=50, description='Slug; "" for none.')
    priority: PriorityIn | None = None
    type: TypeIn | None = None
    category: Text | None = Field(None, max_length=100)
    allowed_origins: list[Text] | None = Field(None, max_length=50)
    ask_phone: bool | None = None
    ask_company: bool | None = None
    allow_attachments: bool | None = None
    intro: Text | None = Field(None, max_length=2000)
    success_message: Text | None = Field(None, max_length=2000)
    is_active: bool | None = None


class WebFormIn(WebFormPatch):
    name: Text = Field(min_length=1, max_length=100)


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise ApiError(403, _("Only admins can do this."))


def _fields(body: WebFormPatch) -> dict:
    fields = body.dict(exclude_none=True)
    if "organization" in fields:
        slug = fields["organization"]
        fields["organization"] = Organization.objects.filter(slug=slug).first() if slug else None
        if slug and fields["organization"] is None:
            raise ApiError(422, _("Unknown organisation."), {"organization": _("unknown")})
    if "team" in fields:
        slug = fields["team"]
        fields["team"] = Team.objects.filter(slug=slug).first() if slug else None
        if slug and fields["team"] is None:
            raise ApiError(422, _("Unknown team."), {"team": _("unknown")})
    if "allowed_origins" in fields:
        fields["allowed_origins"] = "\n".join(origin_list("\n".join(fields["allowed_origins"])))
    return fields


def _saved(save) -> WebForm:
    try:
        return save()
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise ApiError(422, _("The form settings are not valid."), errors) from None


def _queryset():
    return WebForm.objects.select_related("organization", "team")


def webform_list(request: HttpRequest) -> list[WebForm]:
    _require_admin(request.auth)
    return list(_queryset().order_by("pk"))


def webform_add(request: HttpRequest, body: WebFormIn) -> Status:
    _require_admin(request.auth)
    fields = _fields(body)
    return Status(201, _saved(lambda: webform_create(by=request.auth, **fields)))


def webform_detail(request: HttpRequest, form_id: int) -> WebForm:
    _require_admin(request.auth)
    return get_object_or_404(_queryset(), pk=form_id)


def webform_patch(request: HttpRequest, form_id: int, body: WebFormPatch) -> WebForm:
    _require_admin(request.auth)
    webform = get_object_or_404(_queryset(), pk=form_id)
    fields = _fields(body)
    return _saved(lambda: webform_update(webform=webform, by=request.auth, **fields))


def webform_remove(request: HttpRequest, form_id: int) -> Status:
    _require_admin(request.auth)
    webform_delete(webform=get_object_or_404(WebForm, pk=form_id), by=request.auth)
    return Status(204, None)


def build_router() -> Router:
    router = Router(tags=["channels"])
    router.get(
        "/webforms",
        response={200: list[WebFormOut], **error_responses(403)},
        url_name="webform_list",
    )(webform_list)
    router.post(
        "/webforms",
        response={201: WebFormOut, **error_responses(403, 422)},
        url_name="webform_add",
    )(webform_add)
    router.get(
        "/webforms/{form_id}",
        response={200: WebFormOut, **error_responses(403, 404)},
        url_name="webform_detail",
    )(webform_detail)
    router.patch(
        "/webforms/{form_id}",
        response={200: WebFormOut, **error_responses(403, 404, 422)},
        url_name="webform_patch",
    )(webform_patch)
    router.delete(
        "/webforms/{form_id}",
        response={204: None, **error_responses(403, 404)},
        url_name="webform_remove",
    )(webform_remove)
    return router
