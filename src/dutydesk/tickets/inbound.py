"""The value every channel turns its input into before calling ``ingest``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dutydesk.accounts.models import Organization, Team, User


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True)
class Inbound:
    """One item from a channel: a new request, or a message about an existing ticket.

    ``source_id`` is the channel's own id for the item (Message-ID, Telegram update id,
    an API Idempotency-Key); the same (channel, source_id) is accepted only once.
    """

    channel: str
    source_id: str
    sender_email: str
    sender_name: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    organization: Organization | None = None
    priority: str = ""
    type: str = ""
    category: str = ""
    # The team a new ticket goes to when the channel decides it (an alert integration's or
    # a web form's team); otherwise routing decides.
    team: Team | None = None
    # The ticket this item is about, when the channel could tell (e.g. "[#1042]" in a subject).
    ticket_number: int | None = None
    # The channel vouches that the sender is on that ticket though they may not see it
    # (CC'd on its mail): the item threads into it; an unknown sender becomes an inactive
    # contact, who can neither sign in nor see anything.
    sender_on_ticket: bool = False
    attachments: tuple[InboundAttachment, ...] = ()
    # The sender's account when the channel has read it already (a linked Telegram chat);
    # it must be the account of ``sender_email``. Saves ingest looking it up again.
    sender: User | None = None
    # The signed-in user who submitted it on the client's behalf (an agent, an API token).
    submitted_by: User | None = None
    extra: dict = field(default_factory=dict)

    def digest(self) -> str:
        """A hash of the content, to tell a true repeat from a reused source id."""
        payload = {
            "sender": self.sender_email.lower(),
            "subject": self.subject,
            "body_text": self.body_text,
            "body_html": self.body_html,
            "organization": self.organization.pk if self.organization else None,
            "priority": self.priority,
            "type": self.type,
            "category": self.category,
            "ticket_number": self.ticket_number,
            "attachments": [
                [a.filename, hashlib.sha256(a.content).hexdigest()] for a in self.attachments
            ],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
