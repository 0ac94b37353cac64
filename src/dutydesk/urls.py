from django.contrib import admin
from django.urls import path

from dutydesk.api.urls import api
from dutydesk.core import views as core_views
from dutydesk.tickets import views as ticket_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path(
        "attachments/<int:pk>/<str:filename>",
        ticket_views.attachment_download,
        name="attachment-download",
    ),
    path("admin/", admin.site.urls),
]
