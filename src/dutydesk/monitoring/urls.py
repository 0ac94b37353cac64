from django.urls import path

from dutydesk.monitoring import views
from dutydesk.monitoring.views import desk

urlpatterns = [
    path("ping/<uuid:key>", views.ping, name="monitoring-ping"),
    path("ping/<uuid:key>/start", views.ping_start, name="monitoring-ping-start"),
    path("ping/<uuid:key>/fail", views.ping_fail, name="monitoring-ping-fail"),
    path("status/<slug:slug>.json", views.status_json, name="monitoring-status-json"),
    path("status/<slug:slug>", views.status_page, name="monitoring-status"),
    path(
        "status/<slug:slug>/<slug:group>.json",
        views.status_json,
        name="monitoring-status-group-json",
    ),
    path("status/<slug:slug>/<slug:group>", views.status_page, name="monitoring-status-group"),
    *desk.urlpatterns,
]
