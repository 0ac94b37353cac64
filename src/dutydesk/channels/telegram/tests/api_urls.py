"""A URLconf mounting this channel's API routers as the lead will in api/urls.py."""

from django.urls import include, path

from dutydesk.api.auth import ApiTokenAuth
from dutydesk.api.errors import install_error_handlers
from dutydesk.api.urls import DutyDeskAPI
from dutydesk.channels.phone.api import build_router as phone_router
from dutydesk.channels.telegram.api import build_router as telegram_router

api = DutyDeskAPI(
    title="channels test", version="t", urls_namespace="api-channels-test", auth=ApiTokenAuth()
)
install_error_handlers(api)
api.add_router("/channels", telegram_router())
api.add_router("/channels", phone_router())

urlpatterns = [path("api/v1/", api.urls), path("", include("dutydesk.channels.urls"))]
