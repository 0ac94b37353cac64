"""WHOIS (RFC 3912), the fallback of the domain probe where RDAP has no answer.

One query is a line sent over TCP port 43 and the text read back until the server closes.
The server of a TLD comes from the installation's map, else from IANA's referral
(``refer:``); the expiry date is read from whichever of the common labels the registry uses.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

MAX_RESPONSE_BYTES = 256 * 1024
IANA = "whois.iana.org"

# Registries whose WHOIS is still the only or the better source (RDAP missing or partial).
DEFAULT_SERVERS: dict[str, str] = {
    "ru": "whois.tcinet.ru",
    "su": "whois.tcinet.ru",
    "xn--p1ai": "whois.tcinet.ru",  # .рф
    "com": "whois.verisign-grs.com",
    "net": "whois.verisign-grs.com",
    "org": "whois.pir.org",
    "io": "whois.nic.io",
    "de": "whois.denic.de",
    "eu": "whois.eu",
    "uk": "whois.nic.uk",
    "kz": "whois.nic.kz",
    "by": "whois.cctld.by",
    "ua": "whois.ua",
}

# Labels of the expiry date, most specific first; matched at the start of a line.
EXPIRY_LABELS = (
    "registry expiry date",
    "registrar registration expiration date",
    "expiration date",
    "expiry date",
    "expiration time",
    "expires on",
    "expires",
    "paid-till",
    "renewal date",
    "valid until",
)
_EXPIRY = re.compile(
    r"^\s*(" + "|".join(re.escape(label) for label in EXPIRY_LABELS) + r")\s*:\s*(\S.*?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_REFER = re.compile(r"^\s*(?:refer|whois)\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
NOT_FOUND = (
    "no match for",
    "not found",
    "no entries found",
    "no data found",
    "no object found",
    "status: free",
    "status: available",
    "is available for registration",
)
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y.%m.%d %H:%M:%S",
    "%d-%b-%Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
)


class WhoisError(Exception):
    """No usable answer: connection, timeout, size, or no server for the TLD."""


def parse_date(text: str) -> datetime | None:
    """A date in one of the forms registries print; UTC when no offset is given."""
    value = text.strip()
    value = re.sub(r"\s*\((?:UTC|GMT)\)$|\s+(?:UTC|GMT|Z)$", "", value, flags=re.IGNORECASE)
    iso = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def expiry_date(text: str) -> datetime | None:
    """The expiry date in a WHOIS answer, or None; the first label that parses wins."""
    found: list[tuple[int, datetime]] = []
    for match in _EXPIRY.finditer(text):
        when = parse_date(match[2])
        if when is not None:
            found.append((EXPIRY_LABELS.index(match[1].lower()), when))
    return min(found, key=lambda item: item[0])[1] if found else None


def not_registered(text: str) -> bool:
    head = text.lower()[:2000]
    return expiry_date(text) is None and any(marker in head for marker in NOT_FOUND)


def referral(text: str) -> str | None:
    """The server IANA (or a thin registry) points to for the full record."""
    match = _REFER.search(text)
    return match[1].strip().rstrip(".") if match else None


def _host_port(server: str) -> tuple[str, int]:
    host, sep, port = server.rpartition(":")
    if sep and port.isdigit() and host and not host.endswith("]"):
        return host, int(port)
    return server, 43


async def whois_query(server: str, query: str, timeout: float) -> str:
    """Send ``query`` to ``server`` (``host`` or ``host:port``) and read the whole answer."""
    host, port = _host_port(server)
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(query.encode("idna") + b"\r\n")
                await writer.drain()
                data = await reader.read(MAX_RESPONSE_BYTES + 1)
                chunks = [data]
                size = len(data)
                while data and size <= MAX_RESPONSE_BYTES:
                    data = await reader.read(MAX_RESPONSE_BYTES + 1 - size)
                    chunks.append(data)
                    size += len(data)
            finally:
                writer.close()
    except TimeoutError:
        raise WhoisError(f"{host} timed out") from None
    except (OSError, UnicodeError) as exc:
        raise WhoisError(f"{host}: {str(exc) or exc.__class__.__name__}"[:200]) from None
    if size > MAX_RESPONSE_BYTES:
        raise WhoisError(f"{host}: the answer is too long")
    raw = b"".join(chunks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def server_for(domain: str, servers: dict[str, str]) -> str | None:
    """The WHOIS server for the domain's TLD (or a longer suffix) from the map, if any."""
    labels = domain.lower().rstrip(".").encode("idna").decode("ascii").split(".")
    for start in range(1, len(labels)):
        if server := servers.get(".".join(labels[start:])):
            return server
    return None


async def whois_lookup(
    domain: str, *, server: str | None, servers: dict[str, str], iana: str, timeout: float
) -> tuple[str, str]:
    """(server, answer): the given server, else the mapped one, else the one IANA refers to."""
    server = server or server_for(domain, servers)
    if server is None:
        if not iana:
            raise WhoisError("no WHOIS server for this domain")
        tld = domain.lower().rstrip(".").rsplit(".", 1)[-1]
        server = referral(await whois_query(iana, tld, timeout))
        if server is None:
            raise WhoisError("IANA knows no WHOIS server for this domain")
    return server, await whois_query(server, domain, timeout)
