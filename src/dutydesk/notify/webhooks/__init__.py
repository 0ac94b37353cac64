"""Outbound webhooks: admins subscribe URLs to events; deliveries go through the outbox."""
