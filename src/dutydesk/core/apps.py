from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _analyze_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    from dutydesk.core.services import database_analyze  # models are loaded only now

    database_analyze()


class CoreConfig(AppConfig):
    name = "dutydesk.core"
    label = "core"
    verbose_name = _("Logs and system")

    def ready(self) -> None:
        post_migrate.connect(_analyze_after_migrate, sender=self)
