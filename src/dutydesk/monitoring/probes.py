"""The probes: every outbound connection of monitoring is made here, asynchronously.

A probe takes a typed configuration and returns an ``Outcome``; it never touches the
database, so the runner can run hundreds at once in one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver
import httpx
from cryptography import x509
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.monitoring import whois
from dutydesk.monitoring.http_probe import ProbeFailure, http_request
from dutydesk.monitoring.kinds import DnsConfig, DomainConfig, HttpConfig, TcpConfig, TlsConfig


@dataclass(frozen=True)
class Outcome:
    ok: bool
    latency_ms: float | None = None
    message: str = ""


class Clients:
    """What the probes of one event loop share: TLS contexts and an httpx client (RDAP)."""

    def __init__(self, *, concurrency: int, user_agent: str) -> None:
        self.user_agent = user_agent
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        self.ssl_contexts = {True: ssl.create_default_context(), False: unverified}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
        self.verified = httpx.AsyncClient(
            limits=limits, headers={"User-Agent": user_agent}, verify=True
        )

    async def aclose(self) -> None:
        await self.verified.aclose()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


async def probe_http(config: HttpConfig, clients: Clients, timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            status, body = await http_request(
                config, contexts=clients.ssl_contexts, user_agent=clients.user_agent
            )
    except TimeoutError:
        return Outcome(False, _ms(started), _("Timed out"))
    except ProbeFailure as exc:
        return Outcome(False, _ms(started), str(exc))
    latency = _ms(started)
    expected = config.expected_status
    if (status not in expected) if expected else status >= 400:
        return Outcome(False, latency, _("Unexpected status %d") % status)
    if config.keyword:
        found = config.keyword.encode() in body
        if found and config.keyword_absent:
            return Outcome(False, latency, _("Keyword %r found") % config.keyword)
        if not found and not config.keyword_absent:
            return Outcome(False, latency, _("Keyword %r not found") % config.keyword)
    if config.max_response_ms is not None and latency > config.max_response_ms:
        return Outcome(False, latency, _("Slow response: %(ms)d ms") % {"ms": latency})
    return Outcome(True, latency, _("Status %d") % status)


async def probe_tcp(config: TcpConfig, clients: Clients, timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(config.host, config.port), timeout
        )
    except TimeoutError:
        return Outcome(False, _ms(started), _("Timed out"))
    except OSError as exc:
        return Outcome(False, _ms(started), _("Connection failed: %s") % _short(exc))
    latency = _ms(started)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Outcome(True, latency, _("Port %d open") % config.port)


def _dns_text(rdata: object) -> str:
    return str(rdata).strip().rstrip(".").strip('"').lower()


async def probe_dns(config: DnsConfig, clients: Clients, timeout: float) -> Outcome:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [config.resolver]
    resolver.port = config.resolver_port
    started = time.perf_counter()
    try:
        answer = await resolver.resolve(config.name, config.record_type, lifetime=timeout)
    except dns.resolver.NXDOMAIN:
        return Outcome(False, _ms(started), _("The name does not exist"))
    except dns.resolver.NoAnswer:
        return Outcome(False, _ms(started), _("No %s record") % config.record_type)
    except dns.exception.Timeout:
        return Outcome(False, _ms(started), _("Timed out"))
    except (dns.exception.DNSException, OSError) as exc:
        return Outcome(False, _ms(started), _("DNS error: %s") % _short(exc))
    latency = _ms(started)
    values = sorted(_dns_text(r) for r in answer)
    missing = [v for v in config.expected if _dns_text(v) not in values]
    if missing:
        return Outcome(
            False,
            latency,
            _("Expected %(want)s, got %(got)s")
            % {"want": ", ".join(missing), "got": ", ".join(values)},
        )
    return Outcome(True, latency, ", ".join(values)[:300])


def _days_left(expires: datetime) -> int:
    return int((expires - timezone.now()).total_seconds() // 86400)


async def _tls_handshake(
    config: TlsConfig, context: ssl.SSLContext, timeout: float
) -> bytes | None:
    server_name = config.server_name or config.host
    _reader, writer = await asyncio.wait_for(
        asyncio.open_connection(config.host, config.port, ssl=context, server_hostname=server_name),
        timeout,
    )
    try:
        return writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()


async def probe_tls(config: TlsConfig, clients: Clients, timeout: float) -> Outcome:
    started = time.perf_counter()
    chain_problem = ""
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    try:
        if config.verify_chain:
            verified = ssl.create_default_context()
            if config.ca_pem:
                verified.load_verify_locations(cadata=config.ca_pem)
            try:
                der = await _tls_handshake(config, verified, timeout)
            except ssl.SSLCertVerificationError as exc:
                chain_problem = exc.verify_message or _short(exc)
                der = await _tls_handshake(config, unverified, timeout)
        else:
            der = await _tls_handshake(config, unverified, timeout)
    except TimeoutError:
        return Outcome(False, _ms(started), _("Timed out"))
    except (OSError, ssl.SSLError) as exc:
        return Outcome(False, _ms(started), _("TLS handshake failed: %s") % _short(exc))
    latency = _ms(started)
    if not der:
        return Outcome(False, latency, _("The server sent no certificate"))
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    days = _days_left(expires)
    when = expires.date().isoformat()
    if chain_problem:
        return Outcome(False, latency, _("Certificate problem: %s") % chain_problem)
    if days < 0:
        return Outcome(False, latency, _("Certificate expired on %s") % when)
    if days < config.warn_days:
        return Outcome(
            False, latency, _("Certificate expires in %(days)d days (%(when)s)") % locals()
        )
    return Outcome(True, latency, _("Certificate valid until %s") % when)


def _expiry_outcome(expires: datetime, warn_days: int, latency: float, via: str) -> Outcome:
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    days = _days_left(expires)
    when = expires.date().isoformat()
    if days < 0:
        message = _("The domain expired on %s") % when
    elif days < warn_days:
        message = _("The domain expires in %(days)d days (%(when)s)") % locals()
    else:
        message = _("The domain is registered until %s") % when
    return Outcome(days >= warn_days, latency, f"{message} ({via})" if via else message)


async def _rdap(
    config: DomainConfig, clients: Clients, timeout: float, base: str
) -> tuple[datetime | None, str]:
    """The RDAP expiry date, or the reason there is none."""
    try:
        response = await clients.verified.get(
            f"{base}/domain/{config.domain}", timeout=timeout, follow_redirects=True
        )
    except httpx.TimeoutException:
        return None, _("RDAP timed out")
    except httpx.HTTPError as exc:
        return None, _("RDAP failed: %s") % _short(exc)
    if response.status_code == 404:
        return None, _("The domain is not registered")
    if response.status_code != 200:
        return None, _("RDAP answered %d") % response.status_code
    try:
        events = response.json().get("events", [])
        stamp = next(e["eventDate"] for e in events if e.get("eventAction") == "expiration")
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")), ""
    except (ValueError, AttributeError, KeyError, StopIteration, TypeError):
        return None, _("RDAP gave no expiry date")


async def probe_domain(
    config: DomainConfig,
    clients: Clients,
    timeout: float,
    *,
    rdap_base_url: str,
    whois_servers: dict[str, str] | None = None,
    whois_iana: str = "",
) -> Outcome:
    """RDAP first; WHOIS when RDAP has no server for the TLD (404), fails or has no date."""
    base = (config.rdap_base_url or rdap_base_url).rstrip("/")
    started = time.perf_counter()
    if base:
        expires, problem = await _rdap(config, clients, timeout, base)
        if expires is not None:
            return _expiry_outcome(expires, config.warn_days, _ms(started), "")
    else:
        problem = _("No RDAP service")
    servers = {**whois.DEFAULT_SERVERS, **(whois_servers or {})}
    left = max(timeout - (time.perf_counter() - started), 0.5)
    try:
        server, text = await whois.whois_lookup(
            config.domain,
            server=config.whois_server or None,
            servers=servers,
            iana=whois_iana,
            timeout=left,
        )
    except whois.WhoisError as exc:
        return Outcome(
            False, _ms(started), _("%(rdap)s; WHOIS: %(whois)s") % {"rdap": problem, "whois": exc}
        )
    latency = _ms(started)
    if (expires := whois.expiry_date(text)) is not None:
        return _expiry_outcome(expires, config.warn_days, latency, f"WHOIS {server}")
    if whois.not_registered(text):
        return Outcome(False, latency, _("The domain is not registered"))
    return Outcome(False, latency, _("%(rdap)s; WHOIS gave no expiry date") % {"rdap": problem})


def _short(exc: BaseException) -> str:
    return (str(exc) or exc.__class__.__name__)[:200]


Probe = Callable[..., Awaitable[Outcome]]
PROBES: dict[str, Probe] = {
    "http": probe_http,
    "tcp": probe_tcp,
    "dns": probe_dns,
    "tls": probe_tls,
    "domain": probe_domain,
}
