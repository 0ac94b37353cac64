"""Documented payloads of each source (from their docs), for tests and the benchmark."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


def dumps(data: dict) -> bytes:
    return json.dumps(data).encode()
