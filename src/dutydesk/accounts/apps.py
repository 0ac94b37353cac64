from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dutydesk.accounts"
    label = "accounts"
