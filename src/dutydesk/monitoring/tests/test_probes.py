"""Each probe against a real loopback server."""

import asyncio
import datetime as dt

import pytest

from dutydesk.monitoring.kinds import config_parse
from dutydesk.monitoring.probes import PROBES, Clients, Outcome
from dutydesk.monitoring.tests.servers import (
    closed_port,
    dns_server,
    http_server,
    rdap_server,
    self_signed,
    tcp_server,
    tls_context,
)


def probe(kind: str, raw: dict, timeout: float = 3, **kwargs) -> Outcome:
    async def run() -> Outcome:
        clients = Clients(concurrency=4, user_agent="test")
        try:
            return await PROBES[kind](config_parse(kind, raw), clients, timeout, **kwargs)
        finally:
            await clients.aclose()

    return asyncio.run(run())


ROUTES = {
    "/ok": (200, {}, b"all systems operational", 0),
    "/error": (503, {}, b"maintenance", 0),
    "/moved": (302, {"Location": "/ok"}, b"", 0),
    "/slow": (200, {}, b"ok", 0.5),
    "/teapot": (418, {}, b"short and stout", 0),
    "/loop": (302, {"Location": "loop"}, b"", 0),
    "/see-other": (303, {"Location": "/ok"}, b"", 0),
}


@pytest.fixture(scope="module")
def web():
    with http_server(ROUTES) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "extra", "ok", "message"),
    [
        ("/ok", {}, True, "Status 200"),
        ("/error", {}, False, "Unexpected status 503"),
        ("/teapot", {"expected_status": [418]}, True, "Status 418"),
        ("/ok", {"expected_status": [204]}, False, "Unexpected status 200"),
        ("/moved", {}, True, "Status 200"),
        ("/moved", {"follow_redirects": False}, True, "Status 302"),
        ("/moved", {"follow_redirects": False, "expected_status": [200]}, False, "302"),
        ("/ok", {"keyword": "operational"}, True, "Status 200"),
        ("/ok", {"keyword": "outage"}, False, "not found"),
        ("/ok", {"keyword": "operational", "keyword_absent": True}, False, "found"),
        ("/slow", {"max_response_ms": 100}, False, "Slow response"),
        ("/ok", {"method": "POST", "body": "{}", "headers": {"X-Token": "t"}}, True, "200"),
        ("/ok", {"method": "HEAD"}, True, "Status 200"),
        ("/loop", {}, False, "Too many redirects"),
        ("/see-other", {"method": "POST", "body": "x", "keyword": "operational"}, True, "200"),
    ],
)
def test_http_probe(web, path, extra, ok, message):
    outcome = probe("http", {"url": web + path, **extra})
    assert outcome.ok is ok
    assert message in outcome.message
    assert outcome.latency_ms is not None


def test_http_probe_times_out(web):
    outcome = probe("http", {"url": web + "/slow"}, timeout=0.1)
    assert not outcome.ok and outcome.message == "Timed out"


def test_http_probe_reports_a_refused_connection():
    outcome = probe("http", {"url": f"http://127.0.0.1:{closed_port()}/"})
    assert not outcome.ok and "Connection failed" in outcome.message


def test_tcp_probe_sees_open_and_closed_ports():
    with tcp_server() as port:
        assert probe("tcp", {"host": "127.0.0.1", "port": port}).ok
    outcome = probe("tcp", {"host": "127.0.0.1", "port": closed_port()})
    assert not outcome.ok and "Connection failed" in outcome.message


@pytest.fixture(scope="module")
def dns():
    records = {
        ("www.acme.test", "A"): ["192.0.2.10", "192.0.2.11"],
        ("acme.test", "MX"): ["10 mail.acme.test."],
        ("acme.test", "TXT"): ['"v=spf1 -all"'],
    }
    with dns_server(records) as port:
        yield port


@pytest.mark.parametrize(
    ("name", "rtype", "expected", "ok", "message"),
    [
        ("www.acme.test", "A", ["192.0.2.10"], True, "192.0.2.10, 192.0.2.11"),
        ("www.acme.test", "A", [], True, "192.0.2.10"),
        ("www.acme.test", "A", ["192.0.2.99"], False, "Expected 192.0.2.99"),
        ("acme.test", "MX", ["10 mail.acme.test"], True, "mail.acme.test"),
        ("acme.test", "TXT", ["v=spf1 -all"], True, "spf1"),
        ("www.acme.test", "AAAA", [], False, "No AAAA record"),
        ("nope.acme.test", "A", [], False, "does not exist"),
    ],
)
def test_dns_probe_against_a_chosen_resolver(dns, name, rtype, expected, ok, message):
    raw = {
        "name": name,
        "record_type": rtype,
        "resolver": "127.0.0.1",
        "resolver_port": dns,
        "expected": expected,
    }
    outcome = probe("dns", raw)
    assert outcome.ok is ok, outcome.message
    assert message in outcome.message


@pytest.mark.parametrize(
    ("days_valid", "trusted", "ok", "message"),
    [
        (90, True, True, "Certificate valid until"),
        (5, True, False, "Certificate expires in 4 days"),
        (90, False, False, "Certificate problem: self-signed certificate"),
    ],
)
def test_tls_probe_reads_expiry_and_chain(days_valid, trusted, ok, message):
    cert, key = self_signed(days_valid=days_valid)
    with http_server(ROUTES, tls=tls_context(cert, key)) as url:
        port = int(url.rsplit(":", 1)[1])
        raw = {"host": "127.0.0.1", "port": port, "server_name": "localhost", "warn_days": 14}
        if trusted:
            raw["ca_pem"] = cert
        outcome = probe("tls", raw)
    assert outcome.ok is ok, outcome.message
    assert message in outcome.message


def test_tls_probe_without_chain_verification_still_warns_of_expiry():
    cert, key = self_signed(days_valid=3)
    with http_server(ROUTES, tls=tls_context(cert, key)) as url:
        port = int(url.rsplit(":", 1)[1])
        outcome = probe("tls", {"host": "127.0.0.1", "port": port, "verify_chain": False})
    assert not outcome.ok and "expires in 2 days" in outcome.message


def test_http_probe_can_skip_tls_verification():
    cert, key = self_signed(days_valid=30)
    with http_server(ROUTES, tls=tls_context(cert, key)) as url:
        assert not probe("http", {"url": url + "/ok"}).ok
        assert probe("http", {"url": url + "/ok", "verify_tls": False}).ok


@pytest.mark.parametrize(
    ("domain", "ok", "message"),
    [
        ("acme.test", True, "registered until"),
        ("soon.test", False, "expires in"),
        ("gone.test", False, "expired on"),
        ("free.test", False, "not registered"),
    ],
)
def test_domain_probe_reads_rdap_expiry(domain, ok, message):
    now = dt.datetime.now(dt.UTC)
    domains = {
        "acme.test": now + dt.timedelta(days=300),
        "soon.test": now + dt.timedelta(days=10),
        "gone.test": now - dt.timedelta(days=1),
    }
    with rdap_server(domains) as base:
        outcome = probe("domain", {"domain": domain, "warn_days": 30}, rdap_base_url=base)
    assert outcome.ok is ok, outcome.message
    assert message in outcome.message
