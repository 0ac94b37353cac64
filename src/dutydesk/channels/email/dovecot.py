"""A throwaway Dovecot IMAP server on loopback, for the tests and the benchmark.

Follows ../shared/TESTING.md: a 755 temp dir with passwd, run/ and mail/ (owned by
65534), plaintext auth, maildir; started with ``dovecot -c``, stopped with ``doveadm stop``.
"""

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

USER, PASSWORD = "support@example.test", "secret"
_folders = itertools.count(1)

CONF = """
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
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@dataclass
class Dovecot:
    root: Path
    port: int

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @classmethod
    def start(cls) -> Dovecot:
        if shutil.which("dovecot") is None:
            raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
        root = Path(tempfile.mkdtemp(prefix="dd-dovecot-"))
        root.chmod(0o755)
        for sub in ("run", "mail", "state"):
            (root / sub).mkdir()
        shutil.chown(root / "mail", 65534, 65534)
        (root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:65534:65534::{root}/mail/support\n"
        )
        server = cls(root=root, port=free_port())
        server.conf.write_text(CONF.format(root=root, port=server.port))
        binary = shutil.which("dovecot") or "dovecot"
        subprocess.run([binary, "-c", str(server.conf)], check=True)  # noqa: S603 (our own argv)
        for _ in range(200):
            try:
                server.client().logout()
                break
            except OSError:
                time.sleep(0.05)
        return server

    def stop(self) -> None:
        binary = shutil.which("doveadm") or "doveadm"
        subprocess.run([binary, "-c", str(self.conf), "stop"], check=False)  # noqa: S603
        shutil.rmtree(self.root, ignore_errors=True)

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
            typ, data = conn.append(folder, "", None, crlf(raw))
            if typ != "OK":
                raise RuntimeError(f"APPEND failed: {data}")
        conn.logout()

    def flags(self, folder: str) -> dict[int, str]:
        """UID → the FETCH FLAGS line of every message in the folder."""
        conn = self.client()
        conn.select(folder, readonly=True)
        _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        conn.logout()
        found = {}
        for line in data:
            if line:
                text = line.decode()
                found[int(text.split("UID ")[1].split()[0].rstrip(")"))] = text
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
