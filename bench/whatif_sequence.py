"""What-if for the ingest benchmark: ticket numbers from a PostgreSQL sequence.

    uv run python -m bench.ingest --database-url postgres://postgres@127.0.0.1:5432/dutydesk_bench \
        --app bench.whatif_sequence:application

Product code takes the next ticket number with ``counter_next`` (an UPDATE of one
``core_counter`` row), and the row lock is held until the whole ingest transaction
commits, so concurrent ticket creations queue behind each other. This WSGI app is
DutyDesk with that one call replaced by ``nextval()`` on a sequence, which holds no lock
(at the price of gaps after rolled-back transactions), to measure what the lock costs.
Benchmark use only; PostgreSQL only.
"""

from __future__ import annotations

import importlib
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutydesk.settings")

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connection

application = get_wsgi_application()
SEQUENCE = "bench_ticket_number"

try:
    with connection.cursor() as cursor:  # several workers may race here: any one wins
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 10000000")
except DatabaseError:
    pass
connection.close()


def counter_next(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}')")
        return cursor.fetchone()[0]


importlib.import_module("dutydesk.tickets.services.ingest").counter_next = counter_next
