"""Admin writes on mailboxes (the API's; the Django admin has its own form)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, User
from dutydesk.channels.email.models import AfterProcessing, Mailbox, Security
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import TicketError

EDITABLE = (
    "name",
    "host",
    "port",
    "security",
    "username",
    "folder",
    "from_address",
    "after_processing",
    "processed_folder",
    "is_active",
)


class MailboxInvalid(TicketError):
    """The mailbox settings are not valid; ``errors`` names the fields (a 422)."""


def _apply(mailbox: Mailbox, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    diff: dict[str, tuple[Any, Any]] = {}
    for name in EDITABLE:
        if name in changes and changes[name] is not None:
            diff[name] = (getattr(mailbox, name), changes[name])
            setattr(mailbox, name, changes[name])
    if "organization" in changes:
        slug = changes["organization"]
        organization = Organization.objects.filter(slug=slug).first() if slug else None
        if slug and organization is None:
            raise MailboxInvalid(_("The mailbox is not valid."), {"organization": _("unknown")})
        diff["organization"] = (mailbox.organization_id, organization.pk if organization else None)
        mailbox.organization = organization
    if changes.get("password"):
        mailbox.password = changes["password"]
        diff["password"] = ("***", "***")
    errors: dict[str, str] = {}
    if mailbox.security not in Security.values:
        errors["security"] = _("One of: tls, starttls, none.")
    if mailbox.after_processing not in AfterProcessing.values:
        errors["after_processing"] = _("One of: seen, move.")
    if mailbox.after_processing == AfterProcessing.MOVE and not mailbox.processed_folder:
        errors["processed_folder"] = _("Name the folder processed mail is moved to.")
    if not 1 <= mailbox.port <= 65535:
        errors["port"] = _("A port from 1 to 65535.")
    if errors:
        raise MailboxInvalid(_("The mailbox is not valid."), errors)
    return diff


@transaction.atomic
def mailbox_create(*, by: User, **fields: Any) -> Mailbox:
    mailbox = Mailbox()
    _apply(mailbox, fields)
    mailbox.save()
    audit_record(actor=by, action="mailbox.created", obj=mailbox)
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox: Mailbox, by: User, **changes: Any) -> Mailbox:
    diff = _apply(mailbox, changes)
    mailbox.save()
    audit_record(actor=by, action="mailbox.changed", obj=mailbox, changes=diff)
    return mailbox


@transaction.atomic
def mailbox_delete(*, mailbox: Mailbox, by: User) -> None:
    audit_record(actor=by, action="mailbox.deleted", obj=mailbox)
    mailbox.delete()
