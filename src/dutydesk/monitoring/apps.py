from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "dutydesk.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        # Alert intake asks whether a maintenance window is open before opening an incident.
        from dutydesk.channels.alerts import hooks
        from dutydesk.monitoring.selectors import in_maintenance

        hooks.in_maintenance = in_maintenance
