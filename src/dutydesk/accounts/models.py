"""Users, client organisations, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
# Roles that see every queue, not just their teams'.
OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


class Tier(models.TextChoices):
    NONE = "", _("No tier")
    L1 = "L1", "L1"
    L2 = "L2", "L2"
    L3 = "L3", "L3"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(role=Role.ADMIN, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # Notification preferences, set on the profile page; the notice senders read them.
    notify_email = models.BooleanField(_("email me about my tickets"), default=True)
    notify_assigned_only = models.BooleanField(
        _("staff: only tickets assigned to me, not the whole team queue"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="customer") | models.Q(organization__isnull=False),
                name="customer_has_organization",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        """Only admins and managers use the Django admin."""
        return self.is_active and self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_agent(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def sees_all_queues(self) -> bool:
        return self.role in OVERSEER_ROLES

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    email = models.EmailField(_("team email"), blank=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return f"{self.name} ({self.tier})" if self.tier else self.name


class SupportHours(models.TextChoices):
    ALWAYS = "24x7", _("24/7")
    BUSINESS = "business", _("Business hours")


class Organization(models.Model):
    """A client of the support company, with the contract that governs its SLA."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(_("language"), max_length=10, default="en")
    default_team = models.ForeignKey(
        Team,
        verbose_name=_("assigned team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; mail from these domains belongs to this client."),
    )
    customers_see_all_tickets = models.BooleanField(
        _("contacts see all of the organisation's tickets"), default=True
    )
    # Contract fields; the SLA module reads them.
    contract_number = models.CharField(_("contract number"), max_length=100, blank=True)
    support_hours = models.CharField(
        _("support hours"), max_length=10, choices=SupportHours.choices, default=SupportHours.ALWAYS
    )
    sla_policy = models.ForeignKey(
        "sla.Policy",
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("Empty: the default policy."),
    )
    contract_starts = models.DateField(_("contract starts"), null=True, blank=True)
    contract_ends = models.DateField(_("contract ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


TOKEN_PREFIX = "dd_"


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough; no salt needed.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters, shown in lists so a token can be recognised without its secret.
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
