import pytest

from dutydesk.channels.email.parsing import AUTO, BOUNCE, Unparsable, parse
from dutydesk.channels.email.tests.conftest import eml


def test_koi8r_body_and_encoded_subject_are_decoded():
    parsed = parse(eml("koi8r.eml"))
    assert parsed.subject == "Не работает принтер"
    assert parsed.sender_name == "Иван Петров"
    assert parsed.sender_email == "ivan@acme.test"
    assert "Принтер в бухгалтерии не печатает" in parsed.body_text
    assert parsed.message_id == "<koi8r-1@mail.acme.test>"


def test_windows_1251_quoted_printable_body_and_cc_are_read():
    parsed = parse(eml("cp1251.eml"))
    assert parsed.subject == "Счёт за ноябрь"
    assert "Прошу выставить счёт за ноябрь" in parsed.body_text
    assert ("Boris", "boris@acme.test") in parsed.cc


def test_multipart_alternative_gives_text_and_sanitized_html():
    parsed = parse(eml("alternative.eml"))
    assert parsed.body_text.startswith("The VPN drops every hour — since Monday.")
    assert "<b>every hour</b>" in parsed.body_html
    for unsafe in ("<script", "alert(1)", "javascript:", "onclick", "color:red"):
        assert unsafe not in parsed.body_html
    assert parsed.automatic == ""


def test_inline_image_is_kept_as_an_attachment_and_referenced_by_cid():
    parsed = parse(eml("inline_image.eml"))
    assert [a.content_type for a in parsed.attachments] == ["image/png"]
    assert parsed.attachments[0].content.startswith(b"\x89PNG")
    assert 'src="cid:shot1@acme"' in parsed.body_html


def test_attachment_with_an_rfc2231_russian_name():
    parsed = parse(eml("attachment.eml"))
    assert parsed.subject == "Акт сверки"
    assert [(a.filename, a.content[:5]) for a in parsed.attachments] == [("акт.pdf", b"%PDF-")]
    assert parsed.body_text.strip() == "Акт сверки во вложении."


def test_gmail_reply_is_trimmed_to_the_new_text_and_keeps_thread_ids():
    parsed = parse(eml("gmail_reply.eml").replace(b"OURMSGID", b"<ours-1@example.test>"))
    assert parsed.body_text.strip() == "Thanks, it works now."
    assert "Please reinstall" not in parsed.body_html
    assert parsed.trimmed
    assert parsed.thread_ids == ["<ours-1@example.test>", "<alt-1@mail.acme.test>"]
    assert parsed.ticket_token is None  # "TICKETNO" is not a number


def test_outlook_reply_is_trimmed_at_its_header_block():
    parsed = parse(eml("outlook_reply.eml").replace(b"TICKETNO", b"1042"))
    assert parsed.body_text.strip() == "Still happens on my laptop."
    assert "Please reinstall" not in parsed.body_html
    assert "Still happens" in parsed.body_html
    assert parsed.ticket_token == 1042


def test_auto_reply_is_recognised():
    assert parse(eml("autoreply.eml")).automatic == AUTO


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-generated",
        "X-Autorespond: yes",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "Precedence: auto_reply",
        "Return-Path: <>",
    ],
)
def test_noise_headers_mark_a_message_automatic(header):
    raw = f"From: a@acme.test\nSubject: x\n{header}\n\nbody\n".encode()
    assert parse(raw).automatic == AUTO


def test_auto_submitted_no_is_a_person():
    raw = b"From: a@acme.test\nSubject: x\nAuto-Submitted: no\n\nbody\n"
    assert parse(raw).automatic == ""


def test_bounce_names_the_undelivered_message():
    parsed = parse(eml("bounce.eml").replace(b"OURMSGID", b"<ours-2@example.test>"))
    assert parsed.automatic == BOUNCE
    assert parsed.bounced_ids == ["<ours-2@example.test>"]
    assert "User unknown" in parsed.bounce_text


def test_malformed_message_is_unparsable():
    with pytest.raises(Unparsable):
        parse(eml("malformed.eml"))


def test_message_without_message_id_gets_a_stable_one():
    raw = b"From: a@acme.test\nSubject: x\n\nbody\n"
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id != parse(raw + b"more").message_id


def test_unknown_charset_falls_back_without_failing():
    raw = "From: a@acme.test\nSubject: x\nContent-Type: text/plain; charset=x-unknown\n\nПривет\n"
    assert parse(raw.encode()).body_text.strip() == "Привет"
