"""API of the phone channel: PBX integrations (admins). The secret is returned once.

Mount with ``api.add_router("/channels", build_router())``.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.channels.phone.models import PhoneIntegration
from dutydesk.channels.phone.services import phone_integration_create
from dutydesk.core.services import audit_record


class PhoneIntegrationOut(Schema):
    id: int
    name: str
    organization: str
    is_active: bool
    hook_url: str
    created_at: datetime

    @staticmethod
    def resolve_organization(obj: PhoneIntegration) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_hook_url(obj: PhoneIntegration) -> str:
        return settings.BASE_URL + reverse("phone-hook", kwargs={"token": obj.token})


class PhoneIntegrationCreated(PhoneIntegrationOut):
    secret: str = Field(description="The signing secret; shown only in this answer.")

    @staticmethod
    def resolve_secret(obj: PhoneIntegration) -> str:
        return obj.secret_shown


class PhoneIntegrationIn(StrictSchema):
    name: Text = Field(min_length=1, max_length=100)
    organization: Text = Field(max_length=50, description="Slug: where unknown callers go.")


class PhoneIntegrationPatch(StrictSchema):
    name: Text | None = Field(None, min_length=1, max_length=100)
    is_active: bool | None = None


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise ApiError(403, _("Only admins can do this."))


def phone_integration_list(request: HttpRequest) -> list[PhoneIntegration]:
    _require_admin(request.auth)
    return list(PhoneIntegration.objects.select_related("organization").order_by("pk"))


def phone_integration_add(request: HttpRequest, body: PhoneIntegrationIn) -> Status:
    _require_admin(request.auth)
    organization = Organization.objects.filter(slug=body.organization).first()
    if organization is None:
        raise ApiError(422, _("Unknown organisation."), {"organization": _("unknown")})
    integration, secret = phone_integration_create(
        name=body.name, organization=organization, by=request.auth
    )
    integration.secret_shown = secret  # read by PhoneIntegrationCreated, this once
    return Status(201, integration)


def phone_integration_patch(
    request: HttpRequest, integration_id: int, body: PhoneIntegrationPatch
) -> PhoneIntegration:
    _require_admin(request.auth)
    integration = get_object_or_404(PhoneIntegration, pk=integration_id)
    changes = body.dict(exclude_none=True)
    for field, value in changes.items():
        setattr(integration, field, value)
    if changes:
        integration.save(update_fields=list(changes))
        audit_record(
            actor=request.auth,
            action="phone.integration_changed",
            obj=integration,
            changes={k: (None, v) for k, v in changes.items()},
        )
    return integration


def build_router() -> Router:
    router = Router(tags=["channels"])
    router.get(
        "/phone/integrations",
        response={200: list[PhoneIntegrationOut], **error_responses(403)},
        url_name="phone_integration_list",
    )(phone_integration_list)
    router.post(
        "/phone/integrations",
        response={201: PhoneIntegrationCreated, **error_responses(403, 422)},
        url_name="phone_integration_add",
    )(phone_integration_add)
    router.patch(
        "/phone/integrations/{integration_id}",
        response={200: PhoneIntegrationOut, **error_responses(403, 404, 422)},
        url_name="phone_integration_patch",
    )(phone_integration_patch)
    return router
