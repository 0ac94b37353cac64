from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsEmailConfig(AppConfig):
    name = "dutydesk.channels.email"
    label = "channels_email"
    verbose_name = _("Email")

    def ready(self) -> None:
        from dutydesk.channels.email.outbound import email_thread_payload
        from dutydesk.tickets.services.notices import email_threader_register

        email_threader_register(email_thread_payload)
