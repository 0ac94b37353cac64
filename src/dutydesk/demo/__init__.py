"""Demo data for `dutydesk demo`: clients, L1/L2/L3 staff and a month of tickets."""

from dutydesk.demo.seed import DEMO_LOGINS, seed_demo

__all__ = ["DEMO_LOGINS", "seed_demo"]
