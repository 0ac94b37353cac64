"""Trimming the quoted history of a reply for display; the full original is kept apart."""

from __future__ import annotations

import re

# A line that starts the quoted part of a reply, in the clients people use here.
_TEXT_MARKERS = [
    re.compile(r"^On .{1,200}\bwrote:\s*$"),
    re.compile(r"^On .{1,200}$\n^.{0,200}\bwrote:\s*$"),  # Gmail wraps long attributions
    re.compile(r"^.{0,200}\b(пишет|написал|написала|написал\(а\)):\s*$"),
    re.compile(r"^-{2,}\s*(Original Message|Исходное сообщение|Пересылаемое сообщение)\s*-{2,}"),
    re.compile(r"^_{10,}\s*$\n^(From|От):\s"),  # Outlook's rule line before the header block
    re.compile(r"^(From|От):\s.+$\n^(Sent|Date|Отправлено|Дата):\s"),
]
_QUOTED_TAIL = re.compile(r"(^>.*$\n?)+\s*\Z", re.M)

_HTML_MARKERS = [
    '<div class="gmail_quote',
    '<blockquote type="cite"',
    '<div id="divRplyFwdMsg"',
    '<div id="appendonsend"',
    '<div class="moz-cite-prefix"',
    '<div style="border:none;border-top:solid #E1E1E1',
    '<hr style="display:inline-block;width:98%"',
    '<div class="yandex_quote',
]


def trim_text(text: str) -> tuple[str, bool]:
    """The new part of a plain-text reply, and whether anything was cut."""
    cut = len(text)
    for marker in _TEXT_MARKERS:
        found = re.compile(marker.pattern, re.M | re.I).search(text)
        if found:
            cut = min(cut, found.start())
    tail = _QUOTED_TAIL.search(text)
    if tail:
        cut = min(cut, tail.start())
    head = text[:cut].rstrip()
    if cut == len(text) or not head.strip():
        return text, False
    return head + "\n", True


def trim_html(html: str) -> tuple[str, bool]:
    """The new part of an HTML reply (cut at the client's quote container)."""
    lowered = html.lower()
    cut = min((i for m in _HTML_MARKERS if (i := lowered.find(m.lower())) >= 0), default=-1)
    if cut < 0:
        return html, False
    head = html[:cut]
    if not re.sub(r"<[^>]*>|&nbsp;|\s", "", head):
        return html, False
    return head, True
