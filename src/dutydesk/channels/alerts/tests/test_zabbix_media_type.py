"""The shipped Zabbix media type embeds the script and passes every field the parser reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

ZABBIX = Path(__file__).resolve().parent.parent / "zabbix"


def test_media_type_export_embeds_the_script_file():
    export = json.loads((ZABBIX / "dutydesk_media_type.json").read_text())
    [media_type] = export["zabbix_export"]["media_types"]
    assert media_type["type"] == "WEBHOOK"
    assert media_type["script"] == (ZABBIX / "dutydesk.js").read_text()


def test_media_type_parameters_cover_the_fields_the_script_posts():
    export = json.loads((ZABBIX / "dutydesk_media_type.json").read_text())
    names = {p["name"] for p in export["zabbix_export"]["media_types"][0]["parameters"]}
    script = (ZABBIX / "dutydesk.js").read_text()
    posted = set(re.findall(r"'(\w+)'", script.split("var FIELDS = [", 1)[1].split("];")[0]))
    assert posted <= names
    assert {"url", "event_url", "event_id", "value", "trigger_id"} <= names
