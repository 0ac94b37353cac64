"""A visitor fills in the web form in a real browser: on a phone and a desktop, in English
and Russian, on DutyDesk's own page and embedded in a client's site (another origin),
where the frame grows to fit the form. Screenshots of each."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dutydesk.channels.webform.embed import embed_snippet
from dutydesk.testing.browser import PHONE, WIDE, chromium, csp_violations, screenshot, tiny_png
from dutydesk.tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def client_site():
    """A client's web site on another origin (127.0.0.1 while DutyDesk is on localhost)."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.pages = pages
    server.origin = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def _fill(frame, *, language: str, width: str) -> None:
    frame.fill("#id_name", "Nina Novak" if language == "en" else "Нина Новак")
    frame.fill("#id_email", f"nina-{language}-{width}@acme.test")
    frame.fill("#id_phone", "+7 495 111-22-33")
    frame.fill("#id_company", "Acme Ltd")
    frame.fill("#id_subject", "Printer offline" if language == "en" else "Принтер не печатает")
    frame.fill("#id_message", "Since 9:00 the printer on floor 2 shows offline.")
    frame.set_input_files(
        "#id_attachments",
        files=[{"name": "panel.png", "mimeType": "image/png", "buffer": tiny_png()}],
    )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_visitor_sends_the_form_on_a_phone_and_a_desktop(live_server, webform, language):
    url = f"{live_server.url}/forms/{webform.slug}/?lang={language}"
    with chromium() as browser:
        for width, viewport in (("390", PHONE), ("1280", WIDE)):
            page = browser.new_context(locale=language, viewport=viewport).new_page()
            violations = csp_violations(page)
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language
            # Nothing sticks out sideways on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            trap = page.locator("#id_website").bounding_box()  # the honeypot: off-screen
            assert trap["x"] + trap["width"] <= 0

            page.click("button[type=submit]")  # empty: errors next to the fields
            page.wait_for_load_state()
            assert page.locator(".field-invalid").count() >= 4
            screenshot(page, f"webform-{language}-errors-{width}")

            _fill(page, language=language, width=width)
            screenshot(page, f"webform-{language}-filled-{width}")
            page.click("button[type=submit]")
            page.wait_for_selector(".webform-sent")
            reference = page.locator(".confirm-number").inner_text()
            screenshot(page, f"webform-{language}-sent-{width}")
            ticket = Ticket.objects.get(requester__email=f"nina-{language}-{width}@acme.test")
            assert reference == ticket.reference
            assert ticket.attachments.count() == 1
            assert violations == []
            page.context.close()


def test_the_form_embedded_in_a_clients_site_is_sent_and_sized_to_fit(
    live_server, webform, client_site
):
    webform.allowed_origins = client_site.origin
    webform.save()
    snippet = embed_snippet(webform).replace("http://localhost:8000", live_server.url)
    client_site.pages["/contact"] = (
        "<!doctype html><html><head><meta name=viewport content='width=device-width'>"
        "<title>Acme</title></head><body style='margin:0;font-family:sans-serif'>"
        f"<h1 style='padding:0 1rem'>Contact Acme</h1>{snippet}</body></html>"
    )
    client_site.pages["/elsewhere"] = client_site.pages["/contact"]
    with chromium() as browser:
        page = browser.new_context(locale="en", viewport=PHONE).new_page()
        page.goto(f"{client_site.origin}/contact")
        frame_element = page.wait_for_selector("iframe[data-dutydesk-form]")
        frame = frame_element.content_frame()
        frame.wait_for_selector("#id_subject")
        # embed.js grew the frame from its initial 760 px to the form's full height.
        page.wait_for_function(
            "document.querySelector('iframe').getBoundingClientRect().height > 900"
        )
        screenshot(page, "webform-embedded-390")

        _fill(frame, language="en", width="embedded")
        frame.click("button[type=submit]")
        frame.wait_for_selector(".webform-sent")
        page.wait_for_function(
            "document.querySelector('iframe').getBoundingClientRect().height < 700"
        )
        screenshot(page, "webform-embedded-sent-390")
        assert Ticket.objects.filter(requester__email="nina-en-embedded@acme.test").exists()

    # A site the form does not name cannot frame it.
    webform.allowed_origins = "https://www.acme.test"
    webform.save()
    with chromium() as browser:
        page = browser.new_context(viewport=WIDE).new_page()
        violations = csp_violations(page)
        page.goto(f"{client_site.origin}/elsewhere")
        page.wait_for_timeout(1000)
        frame = page.query_selector("iframe").content_frame()
        assert frame is None or frame.query_selector("#id_subject") is None
        assert any("frame-ancestors" in v for v in violations)
