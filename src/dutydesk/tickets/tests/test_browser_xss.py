"""Stored script in a subject, a body, a file name and a customer's name stays text in
the real browser, on the agent's queue and ticket page and on the client's portal."""

import pytest

from dutydesk.testing.browser import chromium, csp_violations, screenshot, sign_in
from dutydesk.testing.factories import customer, inbound
from dutydesk.tickets.inbound import InboundAttachment
from dutydesk.tickets.services import ingest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAYLOAD = '<script>window.__xss = 1; alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'


def test_stored_script_renders_inert(live_server, acme, l1_agent):
    mallory = customer(acme, "mallory@acme.test", name=f"Mallory {PAYLOAD}")
    ticket = ingest(
        inbound(
            sender_email=mallory.email,
            sender_name=mallory.name,
            subject=f"Help {PAYLOAD}",
            body_text=f"Body {PAYLOAD}",
            body_html=f'<p>Body html</p>{PAYLOAD}<a href="javascript:window.__xss=3">x</a>',
            attachments=(
                InboundAttachment(
                    filename=f"{PAYLOAD}.txt", content=b"hello", content_type="text/plain"
                ),
            ),
        )
    ).ticket
    base = live_server.url
    with chromium() as browser:
        dialogs = []
        for email, urls in [
            (l1_agent.email, ["/desk/?view=open", f"/desk/tickets/{ticket.number}/"]),
            (mallory.email, ["/portal/", f"/portal/tickets/{ticket.number}/"]),
        ]:
            context = browser.new_context()
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            blocked = csp_violations(page)
            sign_in(page, base, email)
            for url in urls:
                page.goto(base + url)
                page.wait_for_load_state("networkidle")
                assert page.evaluate("window.__xss") is None, url
                assert "<script>" in page.locator("main").inner_text(), url
                screenshot(page, "xss-" + url.strip("/").replace("/", "-").replace("?", "-"))
            # The escaping holds on its own: the policy had nothing to block.
            assert blocked == []
            context.close()
        assert dialogs == []
