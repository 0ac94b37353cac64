import pytest

from dutydesk.monitoring.kinds import ConfigError, config_normalize


def test_http_config_gets_its_defaults():
    config = config_normalize("http", {"url": "https://acme.test/health"})
    assert config["method"] == "GET" and config["verify_tls"] is True
    assert config["expected_status"] == []


@pytest.mark.parametrize(
    ("kind", "raw", "field"),
    [
        ("http", {"url": "ftp://acme.test"}, "url"),
        ("http", {"url": "https://a.test", "method": "BREW"}, "method"),
        ("http", {"url": "https://a.test", "expected_status": [700]}, "expected_status"),
        ("http", {"url": "https://a.test", "bogus": 1}, "bogus"),
        ("http", {}, "url"),
        ("tcp", {"host": "a.test", "port": 70000}, "port"),
        ("tcp", {"host": "a.test", "port": True}, "port"),
        ("dns", {"name": "a.test", "record_type": "XX"}, "record_type"),
        ("dns", {"name": "a.test", "resolver": "dns.google"}, "resolver"),
        ("tls", {"host": "a.test", "warn_days": 999}, "warn_days"),
        ("domain", {"domain": "localhost"}, "domain"),
        ("heartbeat", {"cron": "not cron"}, "cron"),
        ("heartbeat", {"period_seconds": 5}, "period_seconds"),
        ("heartbeat", {"time_zone": "Mars/Olympus"}, "time_zone"),
        ("ftp", {}, "kind"),
    ],
)
def test_bad_configuration_names_the_field(kind, raw, field):
    with pytest.raises(ConfigError) as info:
        config_normalize(kind, raw)
    assert field in info.value.errors
