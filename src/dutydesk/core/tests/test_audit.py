import pytest
from django.db import connection

from dutydesk.core.context import client_ip
from dutydesk.core.models import AccessLog, AppendOnlyError, AuditLog
from dutydesk.core.services import access_record, audit_record, counter_next, database_analyze

pytestmark = pytest.mark.django_db


def test_audit_records_actor_changes_and_source_ip(acme, l1_agent):
    token = client_ip.set("203.0.113.7")
    try:
        row = audit_record(
            actor=l1_agent,
            action="org.changed",
            obj=acme,
            changes={"name": ("Old", "Acme"), "default_team": (None, acme.default_team)},
        )
    finally:
        client_ip.reset(token)
    assert row.ip == "203.0.113.7"
    assert row.changes == {"name": ["Old", "Acme"], "default_team": [None, str(acme.default_team)]}
    assert row.object_type == "accounts.organization" and row.object_id == str(acme.pk)


def test_audit_and_access_records_are_append_only(acme, l1_agent):
    row = audit_record(actor=l1_agent, action="x", obj=acme)
    row.action = "y"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    access = access_record(user=l1_agent, obj=acme, via="web")
    with pytest.raises(AppendOnlyError):
        access.delete()
    assert AuditLog.objects.get().action == "x"
    assert AccessLog.objects.count() == 1


def test_counter_gives_consecutive_values(db):
    assert [counter_next("test") for _ in range(3)] == [1, 2, 3]


def test_database_analyze_refreshes_sqlite_statistics(db):
    assert database_analyze() == (connection.vendor == "sqlite")
