"""The email router mounted as the lead mounts it (`api.add_router("/channels", router)`)."""

from django.urls import path
from ninja import NinjaAPI

from dutydesk.api.auth import ApiTokenAuth
from dutydesk.api.errors import install_error_handlers
from dutydesk.channels.email.api import router

api = NinjaAPI(urls_namespace="email-api-test", auth=ApiTokenAuth())
install_error_handlers(api)
api.add_router("/channels", router)
urlpatterns = [path("api/v1/", api.urls)]
