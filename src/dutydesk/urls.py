from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dutydesk.api.urls import api
from dutydesk.core import views as core_views
from dutydesk.tickets import views as ticket_views
from dutydesk.tickets.urls import desk_patterns, portal_patterns

admin.site.site_header = _("DutyDesk administration")
admin.site.site_title = _("DutyDesk")
admin.site.index_title = _("Configuration and logs")

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
    path("desk/", include(desk_patterns)),
    path("portal/", include(portal_patterns)),
    path("", include("dutydesk.accounts.urls")),
    path("", include("dutydesk.channels.urls")),
    path("", include("dutydesk.oncall.urls")),
    path("", include("dutydesk.monitoring.urls")),
]
