"""A throwaway Dovecot IMAP server for the test session (../shared/TESTING.md) and helpers."""

from __future__ import annotations

import imaplib
import itertools
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from dutydesk.channels.email.models import Mailbox, Security

FIXTURES = Path(__file__).parent / "fixtures"
USER, PASSWORD = "support@example.test", "secret"
_folders = itertools.count(1)


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dovecot:
    port: int
    conf: Path

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def new_folder(self) -> str:
        folder = f"T{next(_folders)}-{time.monotonic_ns()}"
        conn = self.client()
        conn.create(folder)
        conn.logout()
        return folder

    def append(self, folder: str, *raws: bytes) -> None:
        conn = self.client()
        for raw in raws:
            typ, data = conn.append(
                folder, "", None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            )
            assert typ == "OK", data
        conn.logout()

    def flags(self, folder: str) -> dict[int, str]:
        conn = self.client()
        conn.select(folder, readonly=True)
        _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        conn.logout()
        found = {}
        for line in data:
            if not line:
                continue
            text = line.decode()
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            found[uid] = text
        return found

    def count(self, folder: str) -> int:
        conn = self.client()
        _typ, data = conn.select(folder, readonly=True)
        conn.logout()
        return int(data[0])

    def recreate(self, folder: str, *raws: bytes) -> None:
        """Delete and create the folder again: the server hands out a new UIDVALIDITY."""
        conn = self.client()
        conn.delete(folder)
        conn.create(folder)
        conn.logout()
        self.append(folder, *raws)


@pytest.fixture(scope="session")
def dovecot():
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot-imapd is not installed")
    root = Path(tempfile.mkdtemp(prefix="dd-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "mail", "state"):
        (root / sub).mkdir()
    shutil.chown(root / "mail", 65534, 65534)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:65534:65534::{root}/mail/support\n")
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    subprocess.run(["dovecot", "-c", str(conf)], check=True)
    server = Dovecot(port=port, conf=conf)
    for _ in range(100):
        try:
            server.client().logout()
            break
        except OSError:
            time.sleep(0.05)
    yield server
    subprocess.run(["doveadm", "-c", str(conf), "stop"], check=False)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def make_mailbox(dovecot, db):
    def make(organization=None, *, folder: str | None = None, password: str = PASSWORD, **fields):
        mailbox = Mailbox(
            name=fields.pop("name", "Support"),
            host="127.0.0.1",
            port=dovecot.port,
            security=Security.NONE,
            username=USER,
            folder=folder or dovecot.new_folder(),
            organization=organization,
            from_address=fields.pop("from_address", "support@example.test"),
            **fields,
        )
        mailbox.password = password
        mailbox.save()
        return mailbox

    return make


# The outbox's SMTP server on loopback (aiosmtpd), shared with the notify tests.
from dutydesk.notify.tests.conftest import smtp_server  # noqa: E402, F401
