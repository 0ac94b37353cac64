"""A status page with history: two components, 90 days of rollups, incidents, maintenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dutydesk.accounts.models import Organization, User
from dutydesk.monitoring.models import Check, MaintenanceWindow, Resolution, Rollup, State
from dutydesk.monitoring.probes import Outcome
from dutydesk.monitoring.services import results_record
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.tickets.services import ticket_reply


def status_history(organization: Organization, agent: User, now: datetime) -> dict[str, Check]:
    shop = make_check(
        organization, "http", {"url": "http://127.0.0.1:9/"}, name="Shop", component="Web shop"
    )
    api = make_check(
        organization, "tcp", {"host": "127.0.0.1", "port": 9}, name="API", component="Public API"
    )
    hidden = make_check(organization, "tcp", {"host": "127.0.0.1", "port": 9}, name="Internal")
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    buckets = []
    for offset in range(90):
        day = today - timedelta(days=offset)
        for check in (shop, api, hidden):
            down = 0
            if check is shop and offset in (3, 40):
                down = 30 if offset == 3 else 200
            maintenance = 60 if check is api and offset == 10 else 0
            up = 1440 - down - maintenance
            # The results recorded below add to their day's bucket: a failure and a
            # success of the shop three days ago (part of the day's figures), a failure
            # of the API today (a minute that counts down instead of up).
            if check is shop and offset == 3:
                up, down = up - 1, down - 1
            if check is api and offset == 0:
                up -= 1
            buckets.append(
                Rollup(
                    check_ref=check,
                    resolution=Resolution.DAY,
                    bucket=day,
                    up=up,
                    down=down,
                    maintenance=maintenance,
                    latency_sum=1440 * 80,
                    latency_count=1440,
                )
            )
    Rollup.objects.bulk_create(buckets)
    # A past outage of the shop, resolved, with a public update and an internal note.
    shop.alert_after = 1
    results_record([(shop, Outcome(False, 5, "Unexpected status 502"), now - timedelta(days=3))])
    shop.refresh_from_db()
    ticket_reply(
        ticket=shop.incident, by=agent, body="The payment provider is down; we switched over."
    )
    ticket_reply(ticket=shop.incident, by=agent, body="root cause: expired token", internal=True)
    results_record([(shop, Outcome(True, 5, "Status 200"), now - timedelta(days=3, minutes=-25))])
    # The API is down now.
    api.alert_after = 1
    results_record([(api, Outcome(False, 5, "Connection failed"), now - timedelta(minutes=12))])
    api.refresh_from_db()
    ticket_reply(ticket=api.incident, by=agent, body="We are investigating errors on the API.")
    assert api.state == State.DOWN
    MaintenanceWindow.objects.create(
        organization=organization,
        check_ref=shop,
        title="Database upgrade",
        description="The shop may be slow for a few minutes.",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
    )
    return {"shop": shop, "api": api, "hidden": hidden}
