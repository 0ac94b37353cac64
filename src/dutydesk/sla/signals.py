"""An organisation's contract can change in the accounts admin or anywhere else: when its
SLA policy changes, its open tickets are recomputed after the change commits. A saved or
deleted calendar row empties this process's cache of clock calendars."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from dutydesk.accounts.models import Organization
from dutydesk.sla.calendars import clock_calendar_forget
from dutydesk.sla.models import BusinessCalendar, CalendarDay, WorkingInterval
from dutydesk.sla.recompute import sla_recompute_later


@receiver(pre_save, sender=Organization, dispatch_uid="sla_organization_policy_before")
def _remember_policy(sender: type, instance: Organization, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        instance._sla_policy_before = instance.sla_policy_id  # type: ignore[attr-defined]
        return
    instance._sla_policy_before = (  # type: ignore[attr-defined]
        Organization.objects.filter(pk=instance.pk).values_list("sla_policy_id", flat=True).first()
    )


@receiver(post_save, sender=Organization, dispatch_uid="sla_organization_policy_after")
def _recompute_on_policy_change(
    sender: type, instance: Organization, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, "_sla_policy_before", instance.sla_policy_id)
    if not created and before != instance.sla_policy_id:
        sla_recompute_later(organization_ids=[instance.pk])


def _forget_calendars(sender: type, **kwargs: Any) -> None:
    clock_calendar_forget()


for _model in (BusinessCalendar, WorkingInterval, CalendarDay):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _forget_calendars, sender=_model, dispatch_uid=f"sla_forget_{_model.__name__}"
        )
