from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _analyze_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    from dutydesk.core.services import database_analyze  # models are loaded only now

    database_analyze()


class CoreConfig(AppConfig):
    name = "dutydesk.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(_analyze_after_migrate, sender=self)
