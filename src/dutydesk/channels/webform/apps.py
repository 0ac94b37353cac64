from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsWebformConfig(AppConfig):
    name = "dutydesk.channels.webform"
    label = "channels_webform"
    verbose_name = _("Web forms")
