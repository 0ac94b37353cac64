"""The day's main path in a real browser: a client opens a ticket with a file, an agent
takes it from Unassigned and answers, the client reads the answer and closes the ticket,
the agent sees it closed. Once in English, once in Russian; screenshots of every page at
1280 px and 390 px."""

import pytest

from dutydesk.testing.browser import (
    chromium,
    csp_violations,
    screenshots_at_both_widths,
    sign_in,
    tiny_png,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_client_and_agent_work_a_ticket_through(live_server, anna, l1_agent, language):
    base = live_server.url
    with chromium() as browser:
        client_ctx = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        agent_ctx = browser.new_context(locale=language, viewport={"width": 1280, "height": 860})
        client = client_ctx.new_page()
        agent = agent_ctx.new_page()
        client.on("dialog", lambda d: d.accept())
        violations = csp_violations(client)
        agent_violations = csp_violations(agent)

        def shot(page, name):
            screenshots_at_both_widths(page, f"{language}-{name}")

        # The client signs in and opens a ticket with a screenshot attached.
        client.goto(f"{base}/login/")
        assert client.locator("html").get_attribute("lang") == language
        shot(client, "sign-in")
        sign_in(client, base, anna.email)
        assert client.url.endswith("/portal/")
        client.goto(f"{base}/portal/new/")
        client.fill("#id_subject", "Mail server rejects attachments")
        client.fill("#id_body", "Since 9:00 every mail with a PDF bounces.")
        client.select_option("#id_priority", "P2")
        client.set_input_files(
            "#id_attachments",
            files=[{"name": "bounce.png", "mimeType": "image/png", "buffer": tiny_png()}],
        )
        shot(client, "portal-new")
        client.click("main form button[type=submit]")
        client.wait_for_url("**/received/")
        number = client.locator(".confirm-number").inner_text().lstrip("#")
        shot(client, "portal-received")

        # The agent finds it in Unassigned, takes it with the keyboard, and answers.
        sign_in(agent, base, l1_agent.email)
        assert "/desk/" in agent.url
        agent.goto(f"{base}/desk/?view=unassigned")
        row = agent.locator(f"a[href='/desk/tickets/{number}/']")
        assert row.count() == 1
        shot(agent, "desk-queue")
        row.click()
        agent.wait_for_url(f"**/desk/tickets/{number}/")
        assert agent.locator(".files img").count() == 1  # the image preview
        agent.keyboard.press("a")  # take it
        agent.wait_for_load_state()
        agent.wait_for_selector("#take-form", state="detached")
        agent.keyboard.press("r")
        assert agent.evaluate("document.activeElement.id") == "reply-body"
        agent.keyboard.type("Please try again now: the size limit is raised.")
        agent.click("form.composer button[type=submit]")
        agent.wait_for_load_state()
        shot(agent, "desk-ticket")

        # The client reads the answer and closes the ticket.
        client.goto(f"{base}/portal/tickets/{number}/")
        assert "the size limit is raised" in client.locator(".timeline").inner_text()
        client.goto(f"{base}/portal/")
        shot(client, "portal-list")
        client.goto(f"{base}/portal/tickets/{number}/")
        shot(client, "portal-ticket")
        client.click("form[action$='/close/'] button")
        client.wait_for_load_state()
        assert client.locator("form[action$='/close/']").count() == 0
        assert client.locator(".status-closed").count() == 1

        # The agent sees it closed.
        agent.reload()
        assert agent.locator(".ticket-head .status-closed").count() == 1
        shot(agent, "desk-ticket-closed")
        agent.goto(f"{base}/profile/")
        shot(agent, "profile")
        assert violations == [] and agent_violations == []
