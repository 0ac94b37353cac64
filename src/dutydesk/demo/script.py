"""The demo's cast: teams, staff, clients, routing rules and the shape of a ticket's story."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutydesk.accounts.models import Role, SupportHours, Tier
from dutydesk.tickets.models import (
    Channel,
    TicketType,
)

DEMO_PASSWORD = "demo"
NOT_SENT = "demo data: not sent"

# --- people and clients ---------------------------------------------------------------

TEAMS = [  # slug, name, tier
    ("l1", "First line", Tier.L1),
    ("l2", "Second line", Tier.L2),
    ("l3", "Third line", Tier.L3),
]

# key, email, name, role, team slug, language
STAFF = [
    ("admin", "admin@dutydesk.local", "Pavel Sokolov", Role.ADMIN, "", "en"),
    ("manager", "manager@dutydesk.local", "Elena Volkova", Role.MANAGER, "", "ru"),
    ("supervisor", "supervisor@dutydesk.local", "Nikolai Morozov", Role.SUPERVISOR, "", "ru"),
    ("anna", "l1.anna@dutydesk.local", "Anna Lebedeva", Role.AGENT, "l1", "ru"),
    ("timur", "l1.timur@dutydesk.local", "Timur Galiev", Role.AGENT, "l1", "en"),
    ("igor", "l2.igor@dutydesk.local", "Igor Fedorov", Role.AGENT, "l2", "ru"),
    ("sara", "l2.sara@dutydesk.local", "Sara Lind", Role.AGENT, "l2", "en"),
    ("maxim", "l3.maxim@dutydesk.local", "Maxim Belov", Role.AGENT, "l3", "ru"),
]


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    name: str
    language: str
    time_zone: str
    domain: str
    contract_number: str
    support_hours: str
    contacts: tuple[tuple[str, str, str], ...]  # email, name, phone


ORGANIZATIONS = [
    DemoOrganization(
        "acme",
        "Acme Corp",
        "en",
        "UTC",
        "acme.example",
        "MSP-2024-017",
        SupportHours.ALWAYS,
        (
            ("alice@acme.example", "Alice Carter", "+1 555 0100"),
            ("bob@acme.example", "Bob Miller", "+1 555 0101"),
            ("carol@acme.example", "Carol Diaz", "+1 555 0102"),
        ),
    ),
    DemoOrganization(
        "globex",
        "Globex",
        "en",
        "Europe/Berlin",
        "globex.example",
        "MSP-2025-004",
        SupportHours.BUSINESS,
        (
            ("greta@globex.example", "Greta Hoffmann", "+49 30 5550 1200"),
            ("jonas@globex.example", "Jonas Weber", "+49 30 5550 1201"),
        ),
    ),
    DemoOrganization(
        "romashka",
        "ООО «Ромашка»",
        "ru",
        "Europe/Moscow",
        "romashka.example",
        "Д-2025/031",
        SupportHours.ALWAYS,
        (
            ("irina@romashka.example", "Ирина Смирнова", "+7 495 555-01-10"),
            ("dmitry@romashka.example", "Дмитрий Козлов", "+7 495 555-01-11"),
            ("olga@romashka.example", "Ольга Петрова", "+7 495 555-01-12"),
        ),
    ),
    DemoOrganization(
        "vektor",
        "АО «Вектор Логистик»",
        "ru",
        "Asia/Yekaterinburg",
        "vektor-logistic.example",
        "Д-2025/044",
        SupportHours.BUSINESS,
        (
            ("sergey@vektor-logistic.example", "Сергей Иванов", "+7 343 555-02-20"),
            ("maria@vektor-logistic.example", "Мария Кузнецова", "+7 343 555-02-21"),
        ),
    ),
]

# The SLA contracts of the demo clients (policies from the sla app's data migration); the
# others get the default one.
SLA_POLICIES = {"acme": "standard-24x7", "globex": "business-moscow"}

DEMO_LOGINS: list[tuple[str, str, str]] = [
    *(
        (f"{role.value} {team.upper()}".strip(), email, DEMO_PASSWORD)
        for _key, email, _name, role, team, _language in STAFF
    ),
    ("customer (Acme Corp)", "alice@acme.example", DEMO_PASSWORD),
    ("customer (ООО «Ромашка»)", "irina@romashka.example", DEMO_PASSWORD),
]

# --- tickets --------------------------------------------------------------------------

# A step is (minutes after the previous step, action, *arguments):
#   assign WHO [BY] · reply BY TEXT · note BY TEXT · status BY STATUS · update BY {FIELDS}
#   escalate BY TEAM NOTE · client TEXT · merge BY INTO_KEY · link BY OTHER_KEY
Step = tuple[Any, ...]
HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class DemoTicket:
    key: str
    org: str
    channel: str
    sender: str
    # "27d 08:40": 27 days ago at 08:40 in the client's time zone; "3h", "40m": that long ago.
    opened: str
    subject: str
    body: str
    priority: str = ""
    type: str = ""
    category: str = ""
    about: str = ""  # the key of an earlier ticket this message refers to
    submitted_by: str = ""  # the staff member who took a phone call or owns the API token
    steps: tuple[Step, ...] = ()


ESCALATE_CRM = """
    Escalation to L2
    What: the CRM returns 502 Bad Gateway for all users since 09:40.
    Steps taken: hosting provider's status page is green, crm-web-01 answers ping,
    the app pool restart did not help.
    Client: Acme Corp, the sales team (about 40 people) is blocked.
    Urgency: P1, first response due within 15 minutes.
"""


ROUTING_RULES = [  # name, position, keywords, channel, team slug, type
    (
        "Databases → second line",
        10,
        "database, postgres, sql, база данных, субд",
        "",
        "l2",
        TicketType.INCIDENT,
    ),
    ("Backups → second line", 20, "backup, бэкап, резервн", "", "l2", TicketType.INCIDENT),
    ("Monitoring alerts are incidents", 30, "", Channel.MONITORING, "", TicketType.INCIDENT),
]
