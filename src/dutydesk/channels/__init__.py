"""Inbound adapters: each channel turns its input into an ``Inbound`` for ``ingest``."""
