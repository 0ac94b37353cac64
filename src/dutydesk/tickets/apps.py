from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "dutydesk.tickets"
    label = "tickets"
