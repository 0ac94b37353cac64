from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "dutydesk.sla"
    label = "sla"
