"""Every environment variable the settings read is documented in .env.example and the README."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SETTINGS = ROOT / "src" / "dutydesk" / "settings.py"


def _variables() -> set[str]:
    return set(re.findall(r'\benv\w*\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS.read_text()))


def test_settings_read_variables():
    assert "DATABASE_URL" in _variables()


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_is_documented(document):
    text = (ROOT / document).read_text()
    assert sorted(v for v in _variables() if v not in text) == []
