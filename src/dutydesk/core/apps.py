from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dutydesk.core"
    label = "core"
