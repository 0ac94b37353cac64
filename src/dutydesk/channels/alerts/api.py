"""Integrations API: supervisors, managers and admins create them and get the URL once.

The lead mounts this router at the API root: ``api.add_router("/", alerts_router)``,
which serves ``/api/v1/monitoring/integrations``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from dutydesk.accounts.models import Organization, Team
from dutydesk.api.errors import ApiError
from dutydesk.api.schemas import StrictSchema, Text, error_responses
from dutydesk.channels.alerts import selectors
from dutydesk.channels.alerts.models import Integration, IntegrationKind, OnResolve
from dutydesk.channels.alerts.services.integrations import integration_create, integration_rotate

router = Router(tags=["monitoring"])


class IntegrationIn(StrictSchema):
    organization: Text = Field(..., description="The client organisation's slug.")
    name: Text = Field(..., min_length=1, max_length=100)
    kind: IntegrationKind
    team: Text | None = Field(None, description="A team's slug: incidents go to it.")
    on_resolve: OnResolve = OnResolve.RESOLVE
    severity_map: dict[str, str] | None = Field(
        None, description='Lower-case severity → "P1"…"P4", and "default".'
    )


class IntegrationOut(Schema):
    id: int
    organization: str
    name: str
    kind: str
    on_resolve: str
    team: str | None
    severity_map: dict[str, str]
    is_active: bool
    created_at: datetime
    token_hint: str = Field(..., description="The first characters of the secret.")

    @staticmethod
    def resolve_organization(obj: Integration) -> str:
        return obj.organization.slug

    @staticmethod
    def resolve_team(obj: Integration) -> str | None:
        return obj.team.slug if obj.team else None


class IntegrationCreated(IntegrationOut):
    url: str = Field(..., description="The intake URL with its secret; shown only now.")


def _manager(request: HttpRequest) -> None:
    if not request.auth.sees_all_queues:
        raise ApiError(403, _("Only supervisors, managers and admins manage integrations."))


@router.get(
    "/monitoring/integrations",
    response={200: list[IntegrationOut], **error_responses(403)},
    url_name="alert_integration_list",
)
def integration_list(request: HttpRequest) -> list[Integration]:
    _manager(request)
    return list(selectors.integration_list(user=request.auth))


@router.post(
    "/monitoring/integrations",
    response={201: IntegrationCreated, **error_responses(403, 422)},
    url_name="alert_integration_create",
)
def integration_add(request: HttpRequest, data: IntegrationIn) -> Status:
    _manager(request)
    organization = Organization.objects.filter(slug=data.organization).first()
    if organization is None:
        raise ApiError(422, _("Unknown organisation."), {"organization": _("unknown")})
    team = None
    if data.team is not None and (team := Team.objects.filter(slug=data.team).first()) is None:
        raise ApiError(422, _("Unknown team."), {"team": _("unknown")})
    try:
        integration, url = integration_create(
            organization=organization,
            kind=data.kind,
            name=data.name,
            by=request.auth,
            team=team,
            on_resolve=data.on_resolve,
            severity_map=data.severity_map,
        )
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise ApiError(422, _("The integration is not valid."), errors) from exc
    integration.url = url  # type: ignore[attr-defined]  # shown once, never stored
    return Status(201, integration)


@router.post(
    "/monitoring/integrations/{integration_id}/rotate",
    response={200: IntegrationCreated, **error_responses(403, 404)},
    url_name="alert_integration_rotate",
)
def integration_rotate_secret(request: HttpRequest, integration_id: int) -> Integration:
    _manager(request)
    integration = selectors.integration_get(user=request.auth, pk=integration_id)
    integration.url = integration_rotate(integration=integration, by=request.auth)  # type: ignore[attr-defined]
    return integration
