"""The IMAP side of a mailbox: connect, list new UIDs, fetch, flag. Only imaplib here."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings

from dutydesk.channels.email.models import AfterProcessing, Mailbox, Security


class ImapError(Exception):
    """The server refused or failed; the message is the server's answer."""


@dataclass(frozen=True)
class Envelope:
    uid: int
    size: int
    message_id: str


def _answer(data: list) -> str:
    parts = [d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data if d]
    return " ".join(parts)


def _check(typ: str, data: list, what: str) -> list:
    if typ != "OK":
        raise ImapError(f"{what}: {typ} {_answer(data)}")
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def imap_session(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """Logged in and with the mailbox's folder selected (read-write)."""
    timeout = settings.EMAIL_IMAP_TIMEOUT
    try:
        if mailbox.security == Security.TLS:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                ssl_context=ssl.create_default_context(),
                timeout=timeout,
            )
        else:
            conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
            if mailbox.security == Security.STARTTLS:
                conn.starttls(ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"{type(exc).__name__}: {exc}") from exc
    try:
        try:
            conn.login(mailbox.username, mailbox.password)
            _check(*conn.select(_quote(mailbox.folder)), "SELECT")
        except imaplib.IMAP4.error as exc:
            raise ImapError(str(exc)) from exc
        yield conn
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


def uidvalidity(conn: imaplib.IMAP4) -> int:
    _typ, data = conn.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise ImapError("the server did not report UIDVALIDITY")
    return int(data[-1])


def uids_after(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    # "n:*" always matches the newest message, even below n, so filter again.
    data = _check(*conn.uid("SEARCH", None, f"UID {last_uid + 1}:*"), "SEARCH")
    return sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last_uid)


def uids_unseen(conn: imaplib.IMAP4) -> list[int]:
    data = _check(*conn.uid("SEARCH", None, "UNSEEN"), "SEARCH")
    return sorted(int(x) for x in (data[0] or b"").split())


_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_MSGID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>|\S+)", re.I | re.M)


def envelopes(conn: imaplib.IMAP4, uids: list[int]) -> list[Envelope]:
    """Size and Message-ID of each message, without downloading or flagging it."""
    if not uids:
        return []
    uid_set = ",".join(str(u) for u in uids)
    data = _check(
        *conn.uid("FETCH", uid_set, "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"),
        "FETCH",
    )
    found: list[Envelope] = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, header = item[0], item[1] or b""
        uid, size = _UID.search(meta), _SIZE.search(meta)
        if uid is None:
            continue
        msgid = _MSGID.search(header)
        found.append(
            Envelope(
                uid=int(uid.group(1)),
                size=int(size.group(1)) if size else 0,
                message_id=msgid.group(1).decode(errors="replace").strip() if msgid else "",
            )
        )
    return sorted(found, key=lambda e: e.uid)


def fetch(conn: imaplib.IMAP4, uid: int, *, headers_only: bool = False) -> bytes:
    part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
    data = _check(*conn.uid("FETCH", str(uid), f"({part})"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and item[1] is not None:
            return bytes(item[1])
    raise ImapError(f"message UID {uid} has gone")


def fetch_many(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    """Whole messages by UID in one round trip, unflagged (PEEK); a vanished UID is absent."""
    if not uids:
        return {}
    data = _check(*conn.uid("FETCH", ",".join(str(u) for u in uids), "(BODY.PEEK[])"), "FETCH")
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and item[1] is not None and (uid := _UID.search(item[0])):
            found[int(uid.group(1))] = bytes(item[1])
    return found


def mark_processed(conn: imaplib.IMAP4, mailbox: Mailbox, uids: list[int]) -> None:
    """Mark seen, or move to the processed folder; called only after their tickets committed."""
    if not uids:
        return
    uid_set = ",".join(str(u) for u in uids)
    if mailbox.after_processing == AfterProcessing.MOVE and mailbox.processed_folder:
        target = _quote(mailbox.processed_folder)
        if "MOVE" in conn.capabilities:
            _check(*conn.uid("MOVE", uid_set, target), "MOVE")
            return
        _check(*conn.uid("COPY", uid_set, target), "COPY")
        _check(*conn.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted \Seen)"), "STORE")
        conn.expunge()
        return
    _check(*conn.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)"), "STORE")


def connection_test(mailbox: Mailbox) -> str:
    """Log in and select the folder; returns the server's answer (raises ImapError)."""
    with imap_session(mailbox) as conn:
        validity = uidvalidity(conn)
        _typ, exists = conn.response("EXISTS")
        count = _answer(exists or [b"?"])
        greeting = conn.welcome.decode(errors="replace")
        return f"{greeting} — {mailbox.folder}: {count} messages, UIDVALIDITY {validity}"
