"""Per-kind check configuration: one dataclass per kind, validated before a check is saved.

The check row keeps its configuration as JSON; ``config_parse`` turns it into the typed
dataclass the probes read, and raises ``ConfigError`` (field -> reason) for bad input.
"""

from __future__ import annotations

import ipaddress
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from cronsim import CronSim, CronSimError
from django.utils import timezone
from django.utils.translation import gettext as _

from dutydesk.core.zones import zone_or_none

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
DNS_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "CAA", "SRV", "PTR")


class ConfigError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _host_ok(host: str) -> bool:
    if not host or len(host) > 253 or any(c.isspace() for c in host):
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return all(part and len(part) <= 63 for part in host.rstrip(".").split("."))


@dataclass(frozen=True)
class HttpConfig:
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    # An empty set means any 2xx or 3xx answer.
    expected_status: list[int] = field(default_factory=list)
    keyword: str = ""
    keyword_absent: bool = False  # the check fails when the keyword IS present
    max_response_ms: int | None = None
    follow_redirects: bool = True
    verify_tls: bool = True

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors["url"] = _("An http:// or https:// URL is required.")
        if self.method not in HTTP_METHODS:
            errors["method"] = _("Unknown HTTP method.")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()):
            errors["headers"] = _("Headers must be a mapping of strings.")
        if not all(isinstance(s, int) and 100 <= s <= 599 for s in self.expected_status):
            errors["expected_status"] = _("Status codes are numbers from 100 to 599.")
        if self.max_response_ms is not None and not 1 <= self.max_response_ms <= 600_000:
            errors["max_response_ms"] = _("Between 1 and 600000 milliseconds.")
        if self.keyword_absent and not self.keyword:
            errors["keyword"] = _("Give the keyword that must be absent.")
        return errors


@dataclass(frozen=True)
class TcpConfig:
    host: str
    port: int

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _host_ok(self.host):
            errors["host"] = _("A host name or IP address is required.")
        if not 1 <= self.port <= 65535:
            errors["port"] = _("A port from 1 to 65535 is required.")
        return errors


@dataclass(frozen=True)
class DnsConfig:
    name: str
    record_type: str = "A"
    resolver: str = "1.1.1.1"
    resolver_port: int = 53
    # The answer must contain every expected value; empty means any answer will do.
    expected: list[str] = field(default_factory=list)

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _host_ok(self.name):
            errors["name"] = _("A domain name is required.")
        if self.record_type not in DNS_TYPES:
            errors["record_type"] = _("Unknown record type.")
        try:
            ipaddress.ip_address(self.resolver)
        except ValueError:
            errors["resolver"] = _("The resolver must be an IP address.")
        if not 1 <= self.resolver_port <= 65535:
            errors["resolver_port"] = _("A port from 1 to 65535 is required.")
        if not all(isinstance(v, str) for v in self.expected):
            errors["expected"] = _("Expected values are strings.")
        return errors


@dataclass(frozen=True)
class TlsConfig:
    host: str
    port: int = 443
    server_name: str = ""  # SNI and the name to verify; the host when empty
    warn_days: int = 14
    verify_chain: bool = True
    # Extra trust anchors (PEM), for private CAs; the system store is always used too.
    ca_pem: str = ""

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _host_ok(self.host):
            errors["host"] = _("A host name or IP address is required.")
        if not 1 <= self.port <= 65535:
            errors["port"] = _("A port from 1 to 65535 is required.")
        if not 0 <= self.warn_days <= 365:
            errors["warn_days"] = _("Between 0 and 365 days.")
        return errors


@dataclass(frozen=True)
class DomainConfig:
    domain: str
    warn_days: int = 30
    # RDAP service to ask; the installation's default (settings) when empty.
    rdap_base_url: str = ""
    # WHOIS server (host or host:port) asked when RDAP has no answer; by TLD when empty.
    whois_server: str = ""

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _host_ok(self.domain) or "." not in self.domain:
            errors["domain"] = _("A registered domain name is required.")
        if not 0 <= self.warn_days <= 365:
            errors["warn_days"] = _("Between 0 and 365 days.")
        if self.rdap_base_url and urlsplit(self.rdap_base_url).scheme not in ("http", "https"):
            errors["rdap_base_url"] = _("An http:// or https:// URL is required.")
        host, _sep, port = self.whois_server.partition(":")
        if self.whois_server and (not _host_ok(host) or not (port.isdigit() or not _sep)):
            errors["whois_server"] = _("A host name, optionally with :port, is required.")
        return errors


@dataclass(frozen=True)
class HeartbeatConfig:
    # Either a period in seconds or a cron expression in the time zone.
    period_seconds: int | None = 86400
    cron: str = ""
    time_zone: str = "UTC"
    grace_seconds: int = 3600

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.cron:
            try:
                CronSim(self.cron, timezone.now())
            except (CronSimError, ValueError):
                errors["cron"] = _("Not a valid cron expression.")
        elif self.period_seconds is None or not 60 <= self.period_seconds <= 366 * 86400:
            errors["period_seconds"] = _("A period from 60 seconds to a year is required.")
        if zone_or_none(self.time_zone) is None:
            errors["time_zone"] = _("Unknown time zone.")
        if not 0 <= self.grace_seconds <= 7 * 86400:
            errors["grace_seconds"] = _("A grace time from 0 seconds to a week is required.")
        return errors


KIND_CONFIGS: dict[str, type] = {
    "http": HttpConfig,
    "tcp": TcpConfig,
    "dns": DnsConfig,
    "tls": TlsConfig,
    "domain": DomainConfig,
    "heartbeat": HeartbeatConfig,
}

_TYPES = {"str": str, "int": int, "bool": bool}


def _check_type(name: str, annotation: str, value: Any) -> bool:
    if value is None:
        return "None" in annotation
    base = annotation.split("[")[0].split(" |")[0]
    if base in _TYPES:
        expected = _TYPES[base]
        # bool is an int in Python; a JSON true for a port is still wrong.
        return isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if base == "list":
        return isinstance(value, list)
    if base == "dict":
        return isinstance(value, dict)
    return True


def config_parse(kind: str, raw: Any) -> Any:
    """The typed configuration of a kind, or ``ConfigError`` naming every bad field."""
    cls = KIND_CONFIGS.get(kind)
    if cls is None:
        raise ConfigError({"kind": _("Unknown check kind.")})
    if not isinstance(raw, dict):
        raise ConfigError({"config": _("The configuration must be an object.")})
    known = {f.name: f for f in fields(cls)}
    errors = {name: _("Unknown field.") for name in raw if name not in known}
    for name, value in raw.items():
        if name in known and not _check_type(name, str(known[name].type), value):
            errors[name] = _("Wrong type.")
    if errors:
        raise ConfigError(errors)
    try:
        config = cls(**raw)
    except TypeError:
        missing = [n for n, f in known.items() if n not in raw and _required(f)]
        raise ConfigError({n: _("This field is required.") for n in missing}) from None
    if errors := config.errors():
        raise ConfigError(errors)
    return config


def _required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def config_normalize(kind: str, raw: Any) -> dict[str, Any]:
    """The validated configuration with its defaults filled in, as stored on the check."""
    return asdict(config_parse(kind, raw))
