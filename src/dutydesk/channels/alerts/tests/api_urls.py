"""The site's URLs with this app's API router in front, for its tests (ninja lets a router
be mounted on several APIs, so this works before and after the lead mounts it)."""

from django.urls import include, path
from ninja import NinjaAPI

from dutydesk.api.auth import ApiTokenAuth
from dutydesk.api.errors import install_error_handlers
from dutydesk.channels.alerts.api import router

test_api = NinjaAPI(urls_namespace="alerts-test-api", auth=ApiTokenAuth())
install_error_handlers(test_api)
test_api.add_router("/", router)
urlpatterns = [path("api/v1/", test_api.urls), path("", include("dutydesk.urls"))]
