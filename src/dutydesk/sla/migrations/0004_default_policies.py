"""The two policies every install starts with: 24/7 (the default) and Moscow business hours."""

from django.db import migrations

# slug, name, calendar slug, default, {priority: (first, next, resolution) minutes}
POLICIES = [
    (
        "standard-24x7",
        "Standard 24/7",
        "24x7",
        True,
        {"P1": (15, 60, 240), "P2": (60, 240, 480), "P3": (240, 480, 1440), "P4": (480, 1440, 2880)},
    ),
    (
        "business-moscow",
        "Business hours (Moscow)",
        "moscow-office",
        False,
        {"P1": (30, 60, 480), "P2": (60, 240, 960), "P3": (240, 480, 2400), "P4": (480, 960, 4800)},
    ),
]


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    Policy = apps.get_model("sla", "Policy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    has_default = Policy.objects.filter(is_default=True).exists()
    for slug, name, calendar_slug, is_default, targets in POLICIES:
        calendar = BusinessCalendar.objects.filter(slug=calendar_slug).first()
        if calendar is None or Policy.objects.filter(slug=slug).exists():
            continue  # re-runnable, and an install that removed a calendar keeps its choice
        policy = Policy.objects.create(
            slug=slug, name=name, calendar=calendar, is_default=is_default and not has_default
        )
        PolicyTarget.objects.bulk_create(
            PolicyTarget(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                next_response_minutes=next_,
                resolution_minutes=resolution,
            )
            for priority, (first, next_, resolution) in targets.items()
        )


def remove(apps, schema_editor):
    Policy = apps.get_model("sla", "Policy")
    Policy.objects.filter(slug__in=[slug for slug, *_rest in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_policies")]

    operations = [migrations.RunPython(create, remove)]
