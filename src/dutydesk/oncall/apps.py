from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "dutydesk.oncall"
    label = "oncall"
    verbose_name = _("On-call")

    def ready(self) -> None:
        # The apps below know nothing of on-call; it plugs itself into their hooks here.
        from dutydesk.oncall import wiring

        wiring.connect()
