"""Reads of accounts, scoped to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from dutydesk.accounts.models import Organization, Team, User


def organization_list(*, user: User) -> QuerySet[Organization]:
    """Staff see every client; a customer sees only their own organisation."""
    organizations = Organization.objects.select_related("default_team")
    if user.is_agent:
        return organizations
    if user.organization_id is None:
        return organizations.none()
    return organizations.filter(pk=user.organization_id)


def organization_get(*, user: User, slug: str) -> Organization:
    return get_object_or_404(organization_list(user=user), slug=slug)


def user_list(*, user: User) -> QuerySet[User]:
    """Staff see everyone; a customer sees the contacts of their organisation."""
    users = User.objects.filter(is_active=True).select_related("organization")
    if user.is_agent:
        return users
    if user.organization_id is None:
        return users.none()
    return users.filter(organization_id=user.organization_id)


def team_list(*, user: User) -> QuerySet[Team]:
    """Teams are internal: only staff see them."""
    if not user.is_agent:
        return Team.objects.none()
    return Team.objects.all()
