"""The demo's canned replies and macros (English and Russian), a client's own confirmation
text, and auto-assignment on the second line."""

from __future__ import annotations

from dutydesk.accounts.models import Organization, Team, User
from dutydesk.tickets.models import AutoAssignMode, Macro, Status, TeamAutoAssign

# title, English, Russian, changes
SHARED = [
    (
        "Ask for logs",
        "Hello {{ requester.name }},\n\nto find the cause we need the logs of the last hour. "
        "Please attach them to this ticket ({{ ticket.reference }}).\n\n{{ agent.name }}",
        "Здравствуйте, {{ requester.name }}!\n\nЧтобы найти причину, пришлите, пожалуйста, "
        "журналы за последний час в эту заявку ({{ ticket.reference }}).\n\n{{ agent.name }}",
        {"set_status": Status.PENDING},
    ),
    (
        "Taking it",
        "Hello {{ requester.name }}, I have taken ticket {{ ticket.reference }} and am on it. "
        "We stay within the agreed time: resolution by {{ sla.resolution_due }}.",
        "Здравствуйте, {{ requester.name }}! Я взял заявку {{ ticket.reference }} в работу. "
        "Укладываемся в договорной срок: решение до {{ sla.resolution_due }}.",
        {"assign_to_me": True, "set_status": Status.OPEN},
    ),
    (
        "Solved, please confirm",
        "Hello {{ requester.name }}, the problem in {{ ticket.reference }} is solved. "
        "If anything is still wrong, just reply to this message.",
        "Здравствуйте, {{ requester.name }}! Проблема по заявке {{ ticket.reference }} решена. "
        "Если что-то ещё не так, просто ответьте на это письмо.",
        {"set_status": Status.RESOLVED},
    ),
]

ROMASHKA_CONFIRMATION_EN = (
    "Hello, {{ requester.name }}! Thank you for contacting {{ organization.name }} support. "
    "Your ticket number: {{ ticket.reference }}. We will get back to you within "
    "{{ sla.promise }}."
)
ROMASHKA_CONFIRMATION_RU = (
    "Здравствуйте, {{ requester.name }}! Благодарим за обращение. "
    "Номер вашей заявки: {{ ticket.reference }}. Мы свяжемся с вами в течение "
    "{{ sla.promise }}."
)


def create_macros(
    teams: dict[str, Team], staff: dict[str, User], organizations: dict[str, Organization]
) -> None:
    for title, english, russian, changes in SHARED:
        Macro.objects.create(title=title, body_en=english, body_ru=russian, **changes)
    Macro.objects.create(
        title="DB diagnostics started",
        body_en="Started the database diagnostics; the findings follow in this ticket.",
        body_ru="Запустили диагностику базы данных; результаты пришлём в эту заявку.",
        team=teams["l2"],
        set_priority="P2",
    )
    Macro.objects.create(
        title="Checked monitoring (note)",
        body_en="Checked the monitoring dashboards: no related alerts in the last 24 hours.",
        as_note=True,
        owner=staff["timur"],
    )
    Macro.objects.create(
        title="Confirmation: ООО «Ромашка»",
        body_en=ROMASHKA_CONFIRMATION_EN,
        body_ru=ROMASHKA_CONFIRMATION_RU,
        confirmation_for=organizations["romashka"],
    )


def enable_auto_assignment(teams: dict[str, Team]) -> None:
    """After the demo's history is written, so its tickets keep their scripted assignees."""
    TeamAutoAssign.objects.create(team=teams["l2"], mode=AutoAssignMode.LEAST_LOADED)
