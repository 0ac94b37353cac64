from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "dutydesk.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from dutydesk.sla import signals  # noqa: F401  (connects the receivers)
