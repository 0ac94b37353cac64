"""Accounts API: client organisations, people and teams, as the caller may see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dutydesk.accounts import selectors
from dutydesk.accounts.models import Organization, User
from dutydesk.api.pagination import keyset_page
from dutydesk.api.schemas import PageParams, Text, error_responses

router = Router(tags=["accounts"])


class OrganizationOut(Schema):
    slug: str
    name: str
    time_zone: str
    language: str
    support_hours: str
    is_active: bool
    created_at: datetime


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class UserOut(Schema):
    id: int
    email: str
    name: str
    role: str
    organization: str | None = Field(None, description="The organisation's slug (clients).")

    @staticmethod
    def resolve_organization(obj: User) -> str | None:
        return obj.organization.slug if obj.organization else None


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class TeamOut(Schema):
    slug: str
    name: str
    tier: str
    email: str


@router.get(
    "/organizations",
    response={200: OrganizationPage, **error_responses(422)},
    url_name="organization_list",
)
def organization_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """Staff see every client; a customer sees their own organisation."""
    result = keyset_page(
        selectors.organization_list(user=request.auth),
        keys=("slug",),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get(
    "/organizations/{slug}",
    response={200: OrganizationOut, **error_responses(404, 422)},
    url_name="organization_detail",
)
def organization_detail(request: HttpRequest, slug: Text) -> Organization:
    return selectors.organization_get(user=request.auth, slug=slug)


@router.get("/users", response={200: UserPage, **error_responses(422)}, url_name="user_list")
def user_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """Staff see everyone active; a customer sees their organisation's contacts."""
    result = keyset_page(
        selectors.user_list(user=request.auth),
        keys=("email",),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": result.items, "next_cursor": result.next_cursor}


@router.get("/teams", response={200: list[TeamOut], **error_responses()}, url_name="team_list")
def team_list(request: HttpRequest) -> Any:
    """Teams are internal: customers get an empty list."""
    return selectors.team_list(user=request.auth)
