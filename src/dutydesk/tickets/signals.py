"""Signals other apps listen to; sent inside the transaction of the change."""

from django.dispatch import Signal

# A new ticket was opened by ingest (kwargs: ticket). Receivers run in ingest's transaction,
# so what they write (a page, its deliveries) commits or rolls back with the ticket.
ticket_opened = Signal()
