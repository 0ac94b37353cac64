from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "dutydesk.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from dutydesk.notify.webhooks import fanout

        def ticket_saved(sender: type, instance: Any, **kwargs: Any) -> None:
            fanout.ticket_saved(instance)

        def subscriptions_changed(sender: type, **kwargs: Any) -> None:
            fanout.subscriptions_changed()

        post_save.connect(
            ticket_saved, sender="tickets.Ticket", weak=False, dispatch_uid="webhook_ticket_saved"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                subscriptions_changed,
                sender="notify.WebhookSubscription",
                weak=False,
                dispatch_uid=f"webhook_subscriptions_changed_{signal is post_save}",
            )
