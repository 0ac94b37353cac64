from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dutydesk.notify"
    label = "notify"
