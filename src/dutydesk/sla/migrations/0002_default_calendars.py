"""The two calendars every install starts with: 24/7, and Moscow office hours."""

from datetime import time

from django.db import migrations


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingInterval = apps.get_model("sla", "WorkingInterval")
    BusinessCalendar.objects.get_or_create(
        slug="24x7", defaults={"name": "24/7", "time_zone": "UTC", "always_open": True}
    )
    moscow, created = BusinessCalendar.objects.get_or_create(
        slug="moscow-office",
        defaults={
            "name": "Moscow office hours",
            "time_zone": "Europe/Moscow",
            "holiday_country": "RU",
        },
    )
    if created:
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=moscow, weekday=weekday, start=time(9), end=time(18))
            for weekday in range(5)
        )


def remove(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    BusinessCalendar.objects.filter(slug__in=["24x7", "moscow-office"]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_business_calendars")]

    operations = [migrations.RunPython(create, remove)]
