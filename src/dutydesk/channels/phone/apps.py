from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsPhoneConfig(AppConfig):
    name = "dutydesk.channels.phone"
    label = "channels_phone"
    verbose_name = _("Phone")

    def ready(self) -> None:
        from dutydesk.channels.phone.services import phone_reply_transport
        from dutydesk.tickets.services.notices import reply_transport_register

        reply_transport_register("phone", phone_reply_transport)
