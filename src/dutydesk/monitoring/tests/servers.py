"""Loopback servers for the probes' tests: HTTP, TLS, DNS, RDAP, WHOIS and bare TCP."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from dnslib import QTYPE, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer

# (status, headers, body, delay seconds) for a request path
Reply = tuple[int, dict[str, str], bytes, float]


@contextmanager
def http_server(
    routes: dict[str, Reply] | Callable[[str], Reply], *, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """A threaded HTTP(S) server on 127.0.0.1; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            reply = routes(self.path) if callable(routes) else routes.get(self.path)
            status, headers, body, delay = reply or (404, {}, b"not found", 0)
            if delay:
                threading.Event().wait(delay)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = do_PUT = _answer

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # Many probes connect at once: with the default backlog of 5 the kernel drops the
        # extra SYNs and the client retries a second later, which looks like a slow site.
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # failed TLS handshakes are expected
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def self_signed(*, days_valid: int, name: str = "localhost") -> tuple[str, str]:
    """A self-signed certificate (PEM) and its key (PEM) that expires in ``days_valid``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days_valid))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return cert_pem, key_pem


def tls_context(cert_pem: str, key_pem: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as f:
        f.write(cert_pem + key_pem)
        f.flush()
        context.load_cert_chain(f.name)
    return context


@contextmanager
def tcp_server() -> Iterator[int]:
    """A listening TCP port that accepts and closes; yields the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = sock.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        sock.close()


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@contextmanager
def dns_server(records: dict[tuple[str, str], list[str]]) -> Iterator[int]:
    """A UDP DNS server on 127.0.0.1 answering {(name, type): [values]}; yields its port."""

    class Resolver(BaseResolver):
        def resolve(self, request, handler):
            reply = request.reply()
            qname = str(request.q.qname).rstrip(".")
            qtype = QTYPE[request.q.qtype]
            values = records.get((qname, qtype))
            if values is None:
                if not any(name == qname for name, _t in records):
                    reply.header.rcode = 3  # NXDOMAIN
                return reply
            for value in values:
                reply.add_answer(*RR.fromZone(f"{qname}. 60 IN {qtype} {value}"))
            return reply

    quiet = DNSLogger(log="-recv,-send,-request,-reply,-truncated,-error,-data")
    server = DNSServer(Resolver(), port=0, address="127.0.0.1", logger=quiet)
    server.start_thread()
    try:
        yield server.server.server_address[1]
    finally:
        server.stop()


@contextmanager
def rdap_server(domains: dict[str, dt.datetime]) -> Iterator[str]:
    """An RDAP service: /domain/<name> with an expiration event; yields its base URL."""

    def route(path: str) -> Reply:
        name = path.rsplit("/", 1)[-1]
        if not path.startswith("/domain/") or name not in domains:
            return 404, {"Content-Type": "application/rdap+json"}, b"{}", 0
        body = {
            "objectClassName": "domain",
            "ldhName": name,
            "events": [
                {"eventAction": "registration", "eventDate": "2001-01-01T00:00:00Z"},
                {
                    "eventAction": "expiration",
                    "eventDate": domains[name].strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            ],
        }
        return 200, {"Content-Type": "application/rdap+json"}, json.dumps(body).encode(), 0

    with http_server(route) as url:
        yield url


@contextmanager
def whois_server(
    answers: dict[str, str], *, default: str = "", log: list[str] | None = None
) -> Iterator[str]:
    """A WHOIS server (RFC 3912) on 127.0.0.1: one query line, one answer, close.

    Yields ``127.0.0.1:<port>``; the queries received are appended to ``log``.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                while not data.endswith(b"\r\n") and len(data) < 1024:
                    chunk = conn.recv(1024)
                    if not chunk:
                        break
                    data += chunk
                query = data.decode().strip().lower()
                if log is not None:
                    log.append(query)
                conn.sendall(answers.get(query, default).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        sock.close()
