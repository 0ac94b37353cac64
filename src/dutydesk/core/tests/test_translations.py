"""The Russian catalogue is complete, and the compiled one matches it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"


def _entries(path: Path) -> list[dict[str, str]]:
    """Entries of a .po file as {"msgid": …, "msgstr": …, "msgstr[0]": …, "flags": …}."""
    entries, entry, key = [], {}, None
    for line in [*path.read_text().splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries(PO)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    singular = [e for e in _entries(PO) if "msgstr" in e and "msgctxt" not in e]
    with translation.override("ru"):
        stale = [e["msgid"] for e in singular if translation.gettext(e["msgid"]) != e["msgstr"]]
    assert stale == [], "run compilemessages"
