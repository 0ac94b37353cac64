"""Errors the ticket services raise; the API and channels turn them into 4xx or quarantine."""

from __future__ import annotations


class TicketError(Exception):
    """A request the services refuse; ``errors`` maps a field to a message."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InboundRejected(TicketError):
    """The inbound item is malformed or cannot be placed; nothing was written."""


class InboundConflict(TicketError):
    """The source id was already used for different content."""


class ActionRefused(TicketError):
    """An agent action that is not allowed in the ticket's state or for this user."""
