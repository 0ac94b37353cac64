from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsAlertsConfig(AppConfig):
    name = "dutydesk.channels.alerts"
    label = "channels_alerts"
    verbose_name = _("Alert intake")
