"""Webhook and public endpoints of the channels."""

from django.urls import include, path

urlpatterns = [
    path("", include("dutydesk.channels.email.urls")),
    path("", include("dutydesk.channels.telegram.urls")),
    path("", include("dutydesk.channels.phone.urls")),
    path("", include("dutydesk.channels.alerts.urls")),
    path("", include("dutydesk.channels.webform.urls")),
]
