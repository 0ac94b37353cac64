"""WHOIS: parsing registries' answers, and the domain probe falling back to it from RDAP."""

import datetime as dt

import pytest

from dutydesk.monitoring import whois
from dutydesk.monitoring.models import Check
from dutydesk.monitoring.runner import run_once
from dutydesk.monitoring.tests.factories import make_check
from dutydesk.monitoring.tests.servers import closed_port, http_server, rdap_server, whois_server
from dutydesk.monitoring.tests.test_probes import probe

UTC = dt.UTC

# Answers in the shapes the registries print (written for these tests, names made up).
VERISIGN = """\
   Domain Name: EXAMPLE-SHOP.COM
   Registry Domain ID: 2336799_DOMAIN_COM-VRSN
   Registrar WHOIS Server: whois.example-registrar.test
   Updated Date: 2025-08-14T07:01:44Z
   Creation Date: 1995-08-14T04:00:00Z
   Registry Expiry Date: {expires}
   Registrar: Example Registrar, Inc.
   Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
   Name Server: NS1.EXAMPLE-SHOP.COM
>>> Last update of whois database: 2026-11-30T07:00:00Z <<<
"""
TCINET = """\
% TCI Whois Service. Terms of use:
% https://tcinet.ru/documents/whois_ru_rf.pdf (in Russian)

domain:        PRIMER-MAGAZIN.RU
nserver:       ns1.primer-magazin.ru.
state:         REGISTERED, DELEGATED, VERIFIED
org:           OOO "Primer"
registrar:     RU-CENTER-RU
admin-contact: https://www.nic.ru/whois
created:       2004-03-12T20:00:00Z
paid-till:     {expires}
free-date:     2027-04-14
source:        TCI

Last updated on 2026-11-30T07:01:31Z
"""
REGISTRAR = """\
Domain Name: example-blog.io
Registrar Registration Expiration Date: 2031-01-01T00:00:00Z
Registry Expiry Date: {expires}
"""
LEGACY = """\
Domain name: example-old.kz
Created on: 12-Mar-2004
Expires on: {expires}
"""
NO_MATCH = 'No match for "NOSUCHNAME-4711.COM".\r\n>>> Last update of whois database <<<\r\n'
RU_FREE = "% TCI Whois Service.\n\nNo entries found for the selected source(s).\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VERISIGN.format(expires="2027-08-13T04:00:00Z"), dt.datetime(2027, 8, 13, 4, tzinfo=UTC)),
        (TCINET.format(expires="2027-03-12T21:00:00Z"), dt.datetime(2027, 3, 12, 21, tzinfo=UTC)),
        (TCINET.format(expires="2027.03.12"), dt.datetime(2027, 3, 12, tzinfo=UTC)),
        # The registry's own label wins over the registrar's, whatever the order.
        (REGISTRAR.format(expires="2028-02-29"), dt.datetime(2028, 2, 29, tzinfo=UTC)),
        (LEGACY.format(expires="17-Mar-2027"), dt.datetime(2027, 3, 17, tzinfo=UTC)),
        (
            LEGACY.format(expires="2027-03-17 12:48:36 (UTC)"),
            dt.datetime(2027, 3, 17, 12, 48, 36, tzinfo=UTC),
        ),
        (LEGACY.format(expires="17.03.2027"), dt.datetime(2027, 3, 17, tzinfo=UTC)),
        (
            LEGACY.format(expires="2027-03-17T12:00:00+03:00"),
            dt.datetime(2027, 3, 17, 9, tzinfo=UTC),
        ),
        (LEGACY.format(expires="some day"), None),
        (NO_MATCH, None),
    ],
)
def test_expiry_date_reads_the_common_labels_and_formats(text, expected):
    assert whois.expiry_date(text) == expected


def test_not_registered_recognises_no_match_answers():
    assert whois.not_registered(NO_MATCH)
    assert whois.not_registered(RU_FREE)
    assert not whois.not_registered(VERISIGN.format(expires="2027-08-13T04:00:00Z"))


def test_server_for_takes_the_longest_known_suffix():
    servers = {"uk": "whois.nic.uk", "co.uk": "whois.co.test", "xn--p1ai": "whois.tcinet.ru"}
    assert whois.server_for("shop.example.co.uk", servers) == "whois.co.test"
    assert whois.server_for("example.uk", servers) == "whois.nic.uk"
    assert whois.server_for("пример.рф", servers) == "whois.tcinet.ru"
    assert whois.server_for("example.test", servers) is None


def _in(days: int) -> str:
    return (dt.datetime.now(UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("answer", "ok", "message"),
    [
        (TCINET.format(expires=_in(300)), True, "registered until"),
        (TCINET.format(expires=_in(10)), False, "expires in 9 days"),
        (TCINET.format(expires=_in(-3)), False, "expired on"),
        (RU_FREE, False, "not registered"),
    ],
)
def test_domain_probe_falls_back_to_whois_when_rdap_has_no_server(answer, ok, message):
    queries: list[str] = []
    with rdap_server({}) as rdap, whois_server({"primer-magazin.ru": answer}, log=queries) as srv:
        outcome = probe(
            "domain",
            {"domain": "primer-magazin.ru", "warn_days": 30},
            rdap_base_url=rdap,
            whois_servers={"ru": srv},
        )
    assert outcome.ok is ok, outcome.message
    assert message in outcome.message
    assert queries == ["primer-magazin.ru"]
    if ok:
        assert f"WHOIS {srv}" in outcome.message


def test_domain_probe_uses_whois_when_rdap_fails():
    answer = VERISIGN.format(expires=_in(200))
    with (
        http_server({"/domain/example-shop.com": (503, {}, b"busy", 0)}) as rdap,
        whois_server({"example-shop.com": answer}) as srv,
    ):
        outcome = probe(
            "domain",
            {"domain": "example-shop.com", "whois_server": srv},
            rdap_base_url=rdap,
        )
    assert outcome.ok, outcome.message
    assert "registered until" in outcome.message


def test_rdap_answer_wins_and_whois_is_not_asked():
    queries: list[str] = []
    expires = dt.datetime.now(UTC) + dt.timedelta(days=100)
    with rdap_server({"acme.ru": expires}) as rdap, whois_server({}, log=queries) as srv:
        outcome = probe(
            "domain", {"domain": "acme.ru"}, rdap_base_url=rdap, whois_servers={"ru": srv}
        )
    assert outcome.ok and "WHOIS" not in outcome.message
    assert queries == []


def test_unknown_tld_is_referred_by_the_iana_server():
    answer = LEGACY.format(
        expires=(dt.datetime.now(UTC) + dt.timedelta(days=90)).strftime("%d-%b-%Y")
    )
    queries: list[str] = []
    with whois_server({"example-old.kz": answer}, log=queries) as registry:
        referral = f"% IANA WHOIS server\n\ndomain:       KZ\n\nrefer:        {registry}\n"
        with whois_server({"kz": referral}, log=queries) as iana:
            outcome = probe(
                "domain",
                {"domain": "example-old.kz"},
                rdap_base_url=f"http://127.0.0.1:{closed_port()}",
                whois_servers={"kz": ""},
                whois_iana=iana,
            )
    assert outcome.ok, outcome.message
    assert queries == ["kz", "example-old.kz"]


def test_both_failing_says_why_for_each():
    port = closed_port()
    outcome = probe(
        "domain",
        {"domain": "example.ru", "whois_server": f"127.0.0.1:{port}"},
        rdap_base_url=f"http://127.0.0.1:{port}",
    )
    assert not outcome.ok
    assert "RDAP failed" in outcome.message
    assert "WHOIS: 127.0.0.1" in outcome.message


def test_answer_without_a_date_is_a_failure_not_a_pass():
    with rdap_server({}) as rdap, whois_server({}, default="% rate limit exceeded\n") as srv:
        outcome = probe("domain", {"domain": "a.ru"}, rdap_base_url=rdap, whois_servers={"ru": srv})
    assert not outcome.ok
    assert "WHOIS gave no expiry date" in outcome.message


def test_a_silent_whois_server_times_out_within_the_check_timeout():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)  # accepts the connection but never answers
    try:
        with rdap_server({}) as rdap:
            outcome = probe(
                "domain",
                {"domain": "slow.ru", "whois_server": f"127.0.0.1:{sock.getsockname()[1]}"},
                timeout=1,
                rdap_base_url=rdap,
            )
    finally:
        sock.close()
    assert not outcome.ok
    assert "timed out" in outcome.message


def test_whois_server_setting_is_validated():
    from dutydesk.monitoring.kinds import ConfigError, config_parse

    with pytest.raises(ConfigError):
        config_parse("domain", {"domain": "a.ru", "whois_server": "bad host:x"})
    assert config_parse("domain", {"domain": "a.ru", "whois_server": "whois.test:4343"})


@pytest.mark.django_db
def test_the_runner_asks_the_whois_servers_of_the_settings(acme, settings):
    answer = TCINET.format(expires=_in(5))
    with rdap_server({}) as rdap, whois_server({"primer-magazin.ru": answer}) as srv:
        settings.MONITORING = {
            **settings.MONITORING,
            "rdap_base_url": rdap,
            "whois_servers": {"ru": srv},
            "whois_iana": "",
        }
        check = make_check(acme, "domain", {"domain": "primer-magazin.ru"}, alert_after=1)
        Check.objects.filter(pk=check.pk).update(next_run_at=dt.datetime.now(UTC))
        assert run_once() == 1
    check.refresh_from_db()
    assert check.state == "down"
    assert check.last_message.startswith("The domain expires in 4 days")
    assert f"(WHOIS {srv})" in check.last_message
