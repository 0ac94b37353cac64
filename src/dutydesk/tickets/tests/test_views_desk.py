"""The agent workspace: access, the queue (filters, sorting, pages, query count), the
ticket page and its actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutydesk.testing.factories import inbound
from dutydesk.tickets.models import Message, Status, Ticket
from dutydesk.tickets.services import ingest, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(anna):
    return ingest(inbound(sender_email=anna.email, subject="Printer on fire")).ticket


@pytest.fixture
def gina_ticket(gina):
    return ingest(inbound(sender_email=gina.email, subject="Globex mail down")).ticket


def ticket_url(name, ticket):
    return reverse(name, args=[ticket.number])


def test_anonymous_visitors_are_sent_to_sign_in(client, ticket):
    for url in (
        reverse("desk:queue"),
        ticket_url("desk:ticket", ticket),
        reverse("desk:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signin"))


def test_customers_cannot_open_the_workspace(client, ticket, anna):
    client.force_login(anna)
    assert client.get(reverse("desk:queue")).status_code == 403
    assert client.get(ticket_url("desk:ticket", ticket)).status_code == 403
    assert client.post(ticket_url("desk:take", ticket)).status_code == 403


def test_an_agent_of_another_team_gets_404(client, ticket, l2_agent):
    client.force_login(l2_agent)
    assert client.get(ticket_url("desk:ticket", ticket)).status_code == 404
    assert client.post(ticket_url("desk:take", ticket)).status_code == 404
    assert (
        client.post(ticket_url("desk:reply", ticket), {"kind": "reply", "body": "x"}).status_code
        == 404
    )
    assert (
        "Printer on fire" not in client.get(reverse("desk:queue") + "?view=open").content.decode()
    )


def test_the_agent_of_the_team_sees_the_ticket(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.get(ticket_url("desk:ticket", ticket))
    assert response.status_code == 200
    assert "Printer on fire" in response.content.decode()


@pytest.mark.parametrize("view", ["mine", "unassigned", "team", "open", "recent"])
def test_every_queue_view_renders(client, ticket, l1_agent, view):
    client.force_login(l1_agent)
    assert client.get(reverse("desk:queue") + f"?view={view}").status_code == 200


def test_unassigned_lists_the_new_ticket_and_mine_does_not(client, ticket, l1_agent):
    client.force_login(l1_agent)
    assert (
        "Printer on fire" in client.get(reverse("desk:queue") + "?view=unassigned").content.decode()
    )
    assert (
        "Printer on fire" not in client.get(reverse("desk:queue") + "?view=mine").content.decode()
    )


def test_search_finds_by_number_subject_and_requester(client, ticket, l1_agent, boris):
    other = ingest(inbound(sender_email=boris.email, subject="Keyboard sticky")).ticket
    client.force_login(l1_agent)
    for query, expected, absent in [
        (str(ticket.number), "Printer on fire", "Keyboard sticky"),
        ("keyboard", "Keyboard sticky", "Printer on fire"),
        ("anna@", "Printer on fire", "Keyboard sticky"),
    ]:
        page = client.get(reverse("desk:queue"), {"view": "open", "q": query}).content.decode()
        assert expected in page and absent not in page, query
    assert other.number


def test_filters_narrow_the_queue(client, ticket, supervisor, gina_ticket):
    client.force_login(supervisor)
    page = client.get(
        reverse("desk:queue"), {"view": "open", "organization": "globex"}
    ).content.decode()
    assert "Globex mail down" in page and "Printer on fire" not in page
    page = client.get(reverse("desk:queue"), {"view": "open", "channel": "phone"}).content.decode()
    assert "Globex mail down" not in page


@pytest.mark.parametrize("sort", ["updated", "priority", "age", "sla"])
def test_the_queue_pages_by_keyset_without_repeats(client, anna, l1_agent, sort, monkeypatch):
    monkeypatch.setattr("dutydesk.tickets.views.queue.PAGE_SIZE", 3)
    for n in range(7):
        ingest(inbound(sender_email=anna.email, subject=f"Case {n:02d}", priority=f"P{n % 4 + 1}"))
    client.force_login(l1_agent)
    seen, cursor = [], None
    for _ in range(5):
        params = {"view": "open", "sort": sort, **({"cursor": cursor} if cursor else {})}
        response = client.get(reverse("desk:queue"), params)
        rows = [t.number for t, _sla in response.context["rows"]]
        seen += rows
        cursor = response.context["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(Ticket.objects.values_list("number", flat=True))


def test_a_bad_cursor_shows_the_first_page(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.get(reverse("desk:queue"), {"view": "open", "cursor": "!!nonsense"})
    assert response.status_code == 200
    assert "Printer on fire" in response.content.decode()


def test_the_queue_costs_the_same_queries_for_3_or_30_tickets(
    client, anna, boris, l1_agent, django_assert_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("desk:queue"), {"view": "open"}).status_code == 200
        return len(ctx)

    client.force_login(l1_agent)
    for n in range(3):
        ingest(inbound(sender_email=anna.email, subject=f"A {n}"))
    few = count()
    for n in range(27):
        ingest(inbound(sender_email=(anna if n % 2 else boris).email, subject=f"B {n}"))
    assert count() == few
    assert few <= 12


def test_an_htmx_poll_returns_only_the_results(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.get(reverse("desk:queue") + "?view=open", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Printer on fire" in content and "<html" not in content


def test_take_assigns_to_me(client, ticket, l1_agent):
    client.force_login(l1_agent)
    assert client.post(ticket_url("desk:take", ticket)).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == l1_agent and ticket.status == Status.OPEN


def test_reply_and_note(client, ticket, l1_agent, anna):
    client.force_login(l1_agent)
    upload = SimpleUploadedFile("fix.txt", b"steps", content_type="text/plain")
    client.post(
        ticket_url("desk:reply", ticket),
        {"kind": "reply", "body": "Try this", "attachments": [upload]},
    )
    client.post(ticket_url("desk:reply", ticket), {"kind": "note", "body": "Client is VIP"})
    reply, note = Message.objects.filter(author=l1_agent).order_by("id")
    assert (reply.is_internal, note.is_internal) == (False, True)
    assert reply.attachments.get().filename == "fix.txt"
    client.force_login(anna)
    portal = client.get(ticket_url("portal:ticket", ticket)).content.decode()
    assert "Try this" in portal and "Client is VIP" not in portal


def test_an_empty_reply_shows_an_error_and_writes_nothing(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.post(ticket_url("desk:reply", ticket), {"kind": "reply", "body": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Message.objects.filter(author=l1_agent).exists()


def test_update_changes_fields_and_records_events(client, ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.post(
        ticket_url("desk:update", ticket),
        {
            "status": "pending",
            "priority": "P2",
            "type": "incident",
            "category": "network",
            "team": ticket.team_id,
            "tier": "L1",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.type, ticket.category) == (
        "pending",
        "P2",
        "incident",
        "network",
    )
    page = client.get(ticket_url("desk:ticket", ticket)).content.decode()
    assert "Priority: P3 → P2" in page
    client.post(ticket_url("desk:take", ticket))
    assert "Assigned to Lena" in client.get(ticket_url("desk:ticket", ticket)).content.decode()


def test_assign_to_someone_else_and_back_to_nobody(client, ticket, l1_agent, supervisor):
    client.force_login(l1_agent)
    client.post(ticket_url("desk:assign", ticket), {"assignee": supervisor.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == supervisor
    client.post(ticket_url("desk:assign", ticket), {"assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_escalate_needs_summary_and_steps(client, ticket, l1_agent, l2_team):
    client.force_login(l1_agent)
    response = client.post(ticket_url("desk:escalate", ticket), {"summary": "", "steps_taken": ""})
    assert response.status_code == 400
    response = client.post(
        ticket_url("desk:escalate", ticket), {"summary": "DB down", "steps_taken": "Restarted"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.team == l2_team


def test_merge_and_link(client, ticket, anna, l1_agent):
    other = ingest(inbound(sender_email=anna.email, subject="Printer still on fire")).ticket
    third = ingest(inbound(sender_email=anna.email, subject="Toner")).ticket
    client.force_login(l1_agent)
    client.post(ticket_url("desk:link", ticket), {"link-number": third.number})
    assert ticket.related.filter(pk=third.pk).exists()
    response = client.post(ticket_url("desk:merge", other), {"merge-number": ticket.number})
    assert response["Location"] == ticket_url("desk:ticket", ticket)
    other.refresh_from_db()
    assert other.merged_into == ticket and other.status == Status.CLOSED


def test_merge_into_an_unseen_ticket_is_a_field_error(client, ticket, gina_ticket, l1_agent):
    client.force_login(l1_agent)
    response = client.post(ticket_url("desk:merge", ticket), {"merge-number": gina_ticket.number})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_the_ticket_page_costs_a_bounded_number_of_queries(
    client, ticket, l1_agent, django_assert_max_num_queries
):
    for n in range(20):
        ticket_reply(ticket=ticket, by=l1_agent, body=f"answer {n}", internal=n % 2 == 0)
    client.force_login(l1_agent)
    with django_assert_max_num_queries(30):
        assert client.get(ticket_url("desk:ticket", ticket)).status_code == 200


def test_bulk_changes_priority_and_assignee(client, anna, l1_agent):
    a = ingest(inbound(sender_email=anna.email, subject="One")).ticket
    b = ingest(inbound(sender_email=anna.email, subject="Two")).ticket
    client.force_login(l1_agent)
    response = client.post(
        reverse("desk:bulk"),
        {"tickets": [a.number, b.number], "priority": "P2", "assignee": l1_agent.pk},
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("priority", "assignee")) == {("P2", l1_agent.pk)}


def test_bulk_ignores_tickets_the_agent_cannot_see(client, gina_ticket, l1_agent):
    client.force_login(l1_agent)
    client.post(reverse("desk:bulk"), {"tickets": [gina_ticket.number], "priority": "P1"})
    gina_ticket.refresh_from_db()
    assert gina_ticket.priority != "P1"


def test_the_dashboard_is_for_supervisors(client, ticket, l1_agent, supervisor):
    client.force_login(l1_agent)
    assert client.get(reverse("desk:dashboard")).status_code == 403
    client.force_login(supervisor)
    response = client.get(reverse("desk:dashboard"))
    assert response.status_code == 200
    assert response.context["totals"]["unassigned"] == 1


def test_presence_tells_who_else_is_viewing_and_typing(client, ticket, l1_agent, supervisor):
    client.force_login(supervisor)
    client.get(ticket_url("desk:presence", ticket))
    client.post(ticket_url("desk:typing", ticket))
    client.force_login(l1_agent)
    content = client.get(ticket_url("desk:presence", ticket)).content.decode()
    assert "Sveta is typing" in content


def test_next_ticket_follows_the_last_queue_page(client, anna, l1_agent):
    first = ingest(inbound(sender_email=anna.email, subject="First", priority="P1")).ticket
    second = ingest(inbound(sender_email=anna.email, subject="Second", priority="P2")).ticket
    client.force_login(l1_agent)
    client.get(reverse("desk:queue"), {"view": "open", "sort": "priority"})
    page = client.get(ticket_url("desk:ticket", first))
    assert page.context["next_url"] == ticket_url("desk:ticket", second)
    assert f'data-next-url="{ticket_url("desk:ticket", second)}"' in page.content.decode()
    assert client.get(ticket_url("desk:ticket", second)).context["next_url"] == ""


def test_the_sla_column_shows_time_left_and_overdue(anna):
    from datetime import timedelta

    from django.utils import timezone

    from dutydesk.tickets.views.present import sla_state

    ticket = ingest(inbound(sender_email=anna.email)).ticket
    now = timezone.now()
    ticket.unanswered_due = None
    ticket.first_response_due = now + timedelta(minutes=30)
    ticket.resolution_due = now + timedelta(hours=5)
    assert sla_state(ticket, now).state == "warn"
    ticket.first_response_due = now - timedelta(minutes=5)
    state = sla_state(ticket, now)
    assert (state.state, state.label) == ("bad", "5\xa0minutes overdue")
    ticket.first_response_at = now
    assert sla_state(ticket, now).state == "ok"
    ticket.unanswered_due = now - timedelta(minutes=2)  # a client message waits too long
    state = sla_state(ticket, now)
    assert (state.state, state.what) == ("bad", "Client waiting")
    ticket.status = Status.CLOSED
    assert sla_state(ticket, now).state == "none"


def test_a_long_ticket_shows_its_start_and_latest_entries(client, ticket, l1_agent):
    from dutydesk.tickets.models import Direction

    Message.objects.bulk_create(
        Message(
            ticket=ticket,
            author=l1_agent,
            direction=Direction.OUTBOUND,
            body_text=f"m{n}x",
            channel="agent",
        )
        for n in range(150)
    )
    client.force_login(l1_agent)
    short = client.get(ticket_url("desk:ticket", ticket)).content.decode()
    assert "m149x" in short and "m10x" not in short and "?full=1" in short
    full = client.get(ticket_url("desk:ticket", ticket) + "?full=1").content.decode()
    assert "m10x" in full
