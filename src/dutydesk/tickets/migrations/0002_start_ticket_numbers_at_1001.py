from django.db import migrations

FIRST_NUMBER = 1001


def start_counter(apps, schema_editor):
    Counter = apps.get_model("core", "Counter")
    Counter.objects.get_or_create(name="ticket_number", defaults={"value": FIRST_NUMBER - 1})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(start_counter, migrations.RunPython.noop)]
