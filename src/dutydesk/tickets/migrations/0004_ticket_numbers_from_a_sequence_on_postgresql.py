from django.db import migrations

SEQUENCE = "dutydesk_ticket_number_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Counter = apps.get_model("core", "Counter")
    Ticket = apps.get_model("tickets", "Ticket")
    counter = Counter.objects.filter(name="ticket_number").values_list("value", flat=True)
    highest = max(
        counter.first() or 1000,
        Ticket.objects.order_by("-number").values_list("number", flat=True).first() or 0,
    )
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {highest + 1}")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_event_kind_attachment")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
