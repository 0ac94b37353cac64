from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsTelegramConfig(AppConfig):
    name = "dutydesk.channels.telegram"
    label = "channels_telegram"
    verbose_name = _("Telegram")

    def ready(self) -> None:
        from dutydesk.channels.telegram import tasks  # noqa: F401  (registers the poll task)
        from dutydesk.channels.telegram.outbound import telegram_reply_transport, telegram_send
        from dutydesk.notify.sending import register_sender
        from dutydesk.tickets.services.notices import reply_transport_register

        register_sender("telegram", telegram_send)
        reply_transport_register("telegram", telegram_reply_transport)
