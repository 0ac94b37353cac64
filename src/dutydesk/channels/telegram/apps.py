from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsTelegramConfig(AppConfig):
    name = "dutydesk.channels.telegram"
    label = "channels_telegram"
    verbose_name = _("Telegram")
