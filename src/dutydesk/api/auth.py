"""API authentication: ``Authorization: Bearer <token>`` with a personal API token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from dutydesk.accounts.models import User
from dutydesk.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """The token's user, or None (ninja then answers 401); sessions are not accepted."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            # Code that reads request.user (audit, templates) sees the token's owner.
            request.user = user
        return user
