"""A filled-in web form becomes a contact and a ticket through ``ingest``, exactly once.

Anti-spam lives here too: the signed per-render token (its age is the fill time; its
nonce is the submission's source id) and a per-address rate limit in the shared cache.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.accounts.models import Organization, Role, User
from dutydesk.channels.webform.models import WebForm
from dutydesk.core.services import audit_record
from dutydesk.tickets.errors import InboundRejected
from dutydesk.tickets.inbound import Inbound, InboundAttachment
from dutydesk.tickets.models import Channel
from dutydesk.tickets.services import IngestResult, ingest
from dutydesk.tickets.services.ingest import organization_for_email

_SALT = "dutydesk.webform.token"
# Shared by every web process (Redis, or files on one host), unlike the per-process default.
_CACHE = "presence"


class TokenInvalid(Exception):
    """The form's token is forged, expired, for another form, or came back too soon."""

    def __init__(self, message: str, *, too_fast: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_fast = too_fast


@dataclass(frozen=True)
class Submission:
    name: str
    email: str
    subject: str
    message: str
    nonce: str  # from the form's token: one submission per rendered form
    language: str
    phone: str = ""
    company: str = ""
    attachments: tuple[InboundAttachment, ...] = ()


# --- the per-render token -------------------------------------------------------------


def form_token(form: WebForm) -> str:
    """A fresh token for one rendering of the form: signed form id, nonce and time."""
    payload = {"f": form.pk, "n": secrets.token_hex(12), "t": int(timezone.now().timestamp())}
    return signing.dumps(payload, salt=_SALT, compress=False)


def form_token_check(form: WebForm, token: str) -> str:
    """The token's nonce, or TokenInvalid; ``too_fast`` when sent sooner than a person could."""
    max_age = settings.WEBFORM_TOKEN_MAX_AGE_HOURS * 3600
    try:
        payload = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenInvalid(_("This form was open too long. Please send it again.")) from None
    except signing.BadSignature:
        raise TokenInvalid(_("This form is damaged. Please reload the page.")) from None
    if not isinstance(payload, dict) or payload.get("f") != form.pk:
        raise TokenInvalid(_("This form is damaged. Please reload the page."))
    age = timezone.now().timestamp() - int(payload.get("t", 0))
    if age < settings.WEBFORM_MIN_FILL_SECONDS:
        raise TokenInvalid(
            _("That was sent faster than a person can type. Please wait a moment and send again."),
            too_fast=True,
        )
    return str(payload["n"])


# --- the rate limit -------------------------------------------------------------------


def rate_limit_hit(ip: str | None) -> bool:
    """Count one submission from the address; True when it is over the limit."""
    if not ip:
        return False
    cache = caches[_CACHE]
    window = settings.WEBFORM_RATE_WINDOW_MINUTES * 60
    slot = int(timezone.now().timestamp()) // window
    key = f"webform-rate:{ip}:{slot}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > settings.WEBFORM_RATE_LIMIT


# --- the submission -------------------------------------------------------------------


def webform_submit(*, webform: WebForm, submission: Submission) -> IngestResult:
    """Find or create the contact, then ingest the request; all or nothing.

    A repeat of the same rendered form (a double click, a reload) returns the first
    ticket. Raises ``InboundRejected`` (with field errors) when the sender cannot be placed.
    """
    with transaction.atomic():
        contact, organization = _contact(webform, submission)
        result = ingest(
            Inbound(
                channel=Channel.WEBFORM,
                source_id=f"{webform.pk}:{submission.nonce}",
                sender_email=contact.email,
                sender_name=submission.name,
                subject=submission.subject,
                body_text=_body(webform, submission),
                organization=organization,
                priority=webform.priority,
                type=webform.type,
                category=webform.category,
                team=webform.team,
                attachments=submission.attachments,
                extra={"webform": webform.pk},
            )
        )
    return result


def _contact(form: WebForm, submission: Submission) -> tuple[User, Organization]:
    """The sender's account, made on first contact in the form's (or their domain's)
    organisation, in the language the form was filled in. A known contact is not changed:
    anyone can type any address, so a form never edits who someone is."""
    email = submission.email.strip().lower()
    user = User.objects.select_related("organization").filter(email=email).first()
    if user is not None and user.is_customer and user.organization is not None:
        return user, user.organization
    organization = form.organization or organization_for_email(email)
    if organization is None:
        raise InboundRejected(
            _("We could not tell which client this address belongs to."),
            {"email": _("Please use your work email address.")},
        )
    if user is not None:
        return user, organization
    # get_or_create: a concurrent double submit may have made the contact a moment ago.
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "name": submission.name[:200],
            "phone": submission.phone[:40],
            "role": Role.CUSTOMER,
            "organization": organization,
            "language": submission.language,
            "password": "!",  # an unusable password: the contact signs in by email link
        },
    )
    if created:
        audit_record(
            actor=None,
            action="contact.created",
            obj=user,
            organization=organization,
            changes={"source": (None, f"web form {form.pk}")},
        )
    return user, (user.organization or organization)


def _body(form: WebForm, submission: Submission) -> str:
    lines = []
    if submission.company:
        lines.append(_("Company: %(company)s") % {"company": submission.company})
    if submission.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": submission.phone})
    head = "\n".join(lines)
    return f"{head}\n\n{submission.message}" if head else submission.message


# --- configuration (the admin API; the Django admin audits through AuditedAdmin) -------

CONFIG_FIELDS = (
    "name",
    "organization",
    "team",
    "priority",
    "type",
    "category",
    "allowed_origins",
    "ask_phone",
    "ask_company",
    "allow_attachments",
    "intro",
    "success_message",
    "is_active",
)


def webform_create(*, by: User, **fields) -> WebForm:
    """A new form with a fresh public key; ``fields`` are among ``CONFIG_FIELDS``."""
    with transaction.atomic():
        webform = WebForm(**_checked(fields))
        webform.full_clean()
        webform.save()
        audit_record(actor=by, action="webform.created", obj=webform)
    return webform


def webform_update(*, webform: WebForm, by: User, **fields) -> WebForm:
    with transaction.atomic():
        webform = WebForm.objects.select_for_update().get(pk=webform.pk)
        changes = {}
        for name, value in _checked(fields).items():
            old = getattr(webform, name)
            if old != value:
                changes[name] = (str(old) if old is not None else None, str(value))
                setattr(webform, name, value)
        if changes:
            webform.full_clean()
            webform.save()
            audit_record(actor=by, action="webform.changed", obj=webform, changes=changes)
    return webform


def webform_delete(*, webform: WebForm, by: User) -> None:
    with transaction.atomic():
        audit_record(actor=by, action="webform.deleted", obj=webform)
        webform.delete()


def _checked(fields: dict) -> dict:
    unknown = set(fields) - set(CONFIG_FIELDS)
    if unknown:
        raise ValueError(f"not form settings: {', '.join(sorted(unknown))}")
    return fields
