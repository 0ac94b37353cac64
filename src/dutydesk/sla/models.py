"""Business calendars as data (weekly working intervals, holidays, transferred days) and the
policies that measure targets on them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutydesk.tickets.models import Priority, Ticket


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKING = "working", _("Working day (transferred)")


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            _("Unknown time zone %(zone)r: give an IANA name such as Europe/Moscow."),
            code="time_zone",
            params={"zone": value},
        ) from None


def validate_holiday_country(value: str) -> None:
    if value and value not in holidays.list_supported_countries():
        raise ValidationError(
            _("Unknown holiday country %(code)r: give an ISO code such as RU."),
            code="holiday_country",
            params={"code": value},
        )


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("always open (24/7)"), default=False, help_text=_("Working hours are ignored.")
    )
    holiday_country = models.CharField(
        _("holiday country"),
        max_length=8,
        blank=True,
        validators=[validate_holiday_country],
        help_text=_("ISO code whose public holidays apply, e.g. RU; empty for none."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), null=True, blank=True, help_text=_("Empty: midnight."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="working_interval_weekday"
            ),
        ]

    def __str__(self) -> str:
        end = self.end.strftime("%H:%M") if self.end else "24:00"
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{end}"


class CalendarDay(models.Model):
    """A date off the weekly pattern: a holiday, or a weekend day worked as a weekday."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    works_as_weekday = models.PositiveSmallIntegerField(
        _("works as"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("For a working day: whose weekday's hours it works."),
    )
    yearly = models.BooleanField(
        _("every year"), default=False, help_text=_("Holidays only: repeats on this month and day.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date", "kind"], name="calendar_day_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="holiday", works_as_weekday__isnull=True)
                | models.Q(kind="working", works_as_weekday__lte=6, yearly=False),
                name="calendar_day_kind_fields",
                violation_error_message=_(
                    "A working day needs the weekday it works as and does not repeat yearly; "
                    "a holiday has no weekday to work as."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class BreachAction(models.TextChoices):
    NOTIFY = "notify", _("Notify only")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    ESCALATE = "escalate", _("Escalate to the next tier")
    PAGE = "page", _("Page the person on duty")


class Policy(models.Model):
    """An SLA contract: per-priority targets measured on one business calendar."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Applies to organisations that have no policy of their own."),
    )
    warn_first = models.PositiveSmallIntegerField(
        _("first warning (%)"), default=75, help_text=_("Share of a target that warns first.")
    )
    warn_second = models.PositiveSmallIntegerField(
        _("second warning (%)"), default=90, help_text=_("Share of a target that warns again.")
    )
    unanswered_minutes = models.PositiveIntegerField(
        _("client waits at most (minutes)"),
        default=30,
        help_text=_(
            "Any client message unanswered this long, on the policy's calendar and whatever "
            "the priority, alerts the person on duty."
        ),
    )
    breach_action = models.CharField(
        _("on breach"),
        max_length=20,
        choices=BreachAction.choices,
        default=BreachAction.NOTIFY,
        help_text=_("What happens, besides the notices, when a target is missed."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sla_policy_one_default",
                violation_error_message=_("Another policy is already the default."),
            ),
            models.CheckConstraint(
                condition=models.Q(warn_first__gt=0, warn_first__lt=models.F("warn_second"))
                & models.Q(warn_second__lt=100),
                name="sla_policy_warnings",
                violation_error_message=_(
                    "Warnings must be percentages with the first below the second, both "
                    "between 1 and 99."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(unanswered_minutes__gt=0),
                name="sla_policy_unanswered_positive",
                violation_error_message=_("A client may wait at least one minute."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyTarget(models.Model):
    """The three targets of one priority, in minutes of the policy's calendar."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    first_response_minutes__gt=0,
                    next_response_minutes__gt=0,
                    resolution_minutes__gt=0,
                ),
                name="sla_target_positive",
                violation_error_message=_("Every target must be at least one minute."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority}"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    UNANSWERED = "unanswered", _("Client waiting")


class SlaLevel(models.TextChoices):
    WARN_FIRST = "warn_first", _("First warning")
    WARN_SECOND = "warn_second", _("Second warning")
    BREACH = "breach", _("Breach")


class SlaMark(models.Model):
    """A warning or breach the sweep raised: one per ticket, target, level and due instant,
    so a recomputed due (a new next-response cycle) can warn again."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_marks")
    target = models.CharField(_("target"), max_length=20, choices=SlaTarget.choices)
    level = models.CharField(_("level"), max_length=20, choices=SlaLevel.choices)
    due = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("SLA mark")
        verbose_name_plural = _("SLA marks")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "level", "due"], name="sla_mark_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.level}"
