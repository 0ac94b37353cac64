"""The queue benchmark's data set: clients, teams, agents, contacts and many tickets.

Distributions: 20 organisations with Zipf-like sizes (the largest has about a quarter of
the tickets), 6 teams (most tickets in the L1 service desk), 30 agents, 2000 contacts,
tickets created over two years; about 6% are active (most of them recent), the rest
resolved or closed; priorities P1 3%, P2 15%, P3 60%, P4 22%. Tickets go in as raw rows:
PostgreSQL COPY, SQLite executemany in one transaction. Deterministic (seeded RNG).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from bench import common
from dutydesk.accounts.models import Role, User
from dutydesk.core.models import Counter
from dutydesk.tickets.models import Ticket

MARKER = "bench_seed"  # a Counter row: the number of seeded tickets
N_ORGS, N_AGENTS, N_CONTACTS = 20, 30, 2000
TEAMS = {  # slug: (name, tier, share of tickets)
    "l1-desk": ("Service desk", "L1", 55),
    "l1-night": ("Night desk", "L1", 15),
    "l2-network": ("Network", "L2", 10),
    "l2-apps": ("Applications", "L2", 10),
    "l3-infra": ("Infrastructure", "L3", 5),
    "l3-dba": ("Databases", "L3", 5),
}
ACTIVE = {"new": 15, "open": 45, "pending": 25, "on_hold": 15}
PRIORITY = {"P1": 3, "P2": 15, "P3": 60, "P4": 22}
CHANNEL = {"email": 60, "portal": 15, "api": 10, "telegram": 10, "phone": 5}
TYPE = {"request": 50, "incident": 35, "question": 15}
SUBJECTS = ("VPN does not connect", "Printer offline", "Password reset", "Mail bounces")
SPAN_SECONDS = 730 * 86400


def seeded_count() -> int | None:
    return Counter.objects.filter(name=MARKER).values_list("value", flat=True).first()


def _pick(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def seed(n_tickets: int) -> None:
    rng = random.Random(42)
    teams = {s: common.make_team(s, name, tier) for s, (name, tier, _) in TEAMS.items()}
    team_list = list(teams.values())
    weights = [1 / (k + 1) ** 1.1 for k in range(N_ORGS)]
    orgs = [
        common.make_org(f"org-{k:02d}", f"Client {k:02d}", f"org{k:02d}.example", teams["l1-desk"])
        for k in range(N_ORGS)
    ]
    common.make_staff("supervisor@support.bench", Role.SUPERVISOR)
    members: dict[int, list[int]] = {t.pk: [] for t in team_list}
    for j in range(N_AGENTS):
        # Agents 0-5 are in one team each; a third of the rest in two.
        mine = [team_list[j % 6]] + ([team_list[(j + 1) % 6]] if j >= 6 and j % 3 == 0 else [])
        agent = common.make_staff(f"agent{j:02d}@support.bench", Role.AGENT, mine)
        for team in mine:
            members[team.pk].append(agent.pk)
    for k, org in enumerate(orgs):
        count = max(5, round(N_CONTACTS * weights[k] / sum(weights)))
        common.make_contacts(org, [f"c{i}@org{k:02d}.example" for i in range(count)])
    contacts: dict[int, list[int]] = {o.pk: [] for o in orgs}
    for pk, org_id in User.objects.filter(role=Role.CUSTOMER).values_list("id", "organization"):
        contacts[org_id].append(pk)

    timer = common.Timer()
    rows = _ticket_rows(rng, n_tickets, orgs, weights, contacts, teams, members)
    _insert(rows)
    Counter.objects.filter(name="ticket_number").update(value=1000 + n_tickets)
    Counter.objects.update_or_create(name=MARKER, defaults={"value": n_tickets})
    print(f"  inserted {n_tickets} tickets in {timer.elapsed:.1f} s")
    if connection.vendor == "postgresql":
        timer = common.Timer()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        print(f"  VACUUM ANALYZE in {timer.elapsed:.1f} s")


def _ticket_rows(rng, n, orgs, weights, contacts, teams, members) -> Iterator[dict]:
    now = timezone.now()
    org_ids = rng.choices([o.pk for o in orgs], weights=weights, k=n)
    team_ids = rng.choices([t.pk for t in teams.values()], [s for *_, s in TEAMS.values()], k=n)
    tiers = {t.pk: t.tier for t in teams.values()}
    ages = sorted((rng.random() * SPAN_SECONDS for _ in range(n)), reverse=True)
    dt = connection.ops.adapt_datetimefield_value
    paused = Ticket._meta.get_field("resolution_paused").get_db_prep_value(timedelta(0), connection)
    for i, age in enumerate(ages):
        created = now - timedelta(seconds=age)
        recent = age < 14 * 86400
        active = rng.random() < (0.6 if recent else 0.05)
        team = team_ids[i]
        if active:
            status = _pick(rng, ACTIVE)
            updated = created + timedelta(seconds=rng.random() * min(age, 14 * 86400))
            resolved = closed = None
        else:
            resolved = min(now, created + timedelta(hours=rng.expovariate(1 / 20)))
            closed = resolved + timedelta(days=3) if age > 5 * 86400 else None
            closed = min(closed, now) if closed else None
            status = "closed" if closed else "resolved"
            updated = closed or resolved
        first_response: datetime | None = None
        assignee = None
        if status != "new":
            first_response = created + timedelta(minutes=rng.expovariate(1 / 30))
            first_response = min(first_response, updated)
            assignee = rng.choice(members[team]) if rng.random() < 0.9 else None
        yield {
            "number": 1001 + i,
            "organization_id": org_ids[i],
            "requester_id": rng.choice(contacts[org_ids[i]]),
            "subject": f"{SUBJECTS[i % len(SUBJECTS)]} ({i})",
            "status": status,
            "priority": _pick(rng, PRIORITY),
            "type": _pick(rng, TYPE),
            "category": "",
            "channel": _pick(rng, CHANNEL),
            "team_id": team,
            "tier": tiers[team],
            "assignee_id": assignee,
            "created_at": dt(created),
            "updated_at": dt(updated),
            "first_response_at": dt(first_response),
            "resolved_at": dt(resolved),
            "closed_at": dt(closed),
            "reopen_count": 0,
            # Open tickets get SLA dues (first response 1 h, resolution 8 h after creation),
            # so the SLA column and its sort have work to do.
            "sla_policy_id": None,
            "first_response_due": dt(created + timedelta(hours=1)) if status == "new" else None,
            "next_response_due": None,
            "resolution_due": dt(created + timedelta(hours=8)) if active else None,
            "resolution_paused_at": None,
            "resolution_paused": paused,
            "sla_next_check_at": None,
            "unanswered_due": None,
            "solved_at_first_tier": None if active else True,
            "follow_up_of_id": None,
            "merged_into_id": None,
        }


def _insert(rows: Iterator[dict]) -> None:
    """Raw rows in one transaction; a Ticket column the generator lacks is a KeyError."""
    columns = [f.column for f in Ticket._meta.concrete_fields if not f.primary_key]
    table, names = Ticket._meta.db_table, ", ".join(columns)
    tuples = (tuple(row[c] for c in columns) for row in rows)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in tuples:
                    copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        while batch := list(itertools.islice(tuples, 5000)):
            cursor.executemany(sql, batch)
