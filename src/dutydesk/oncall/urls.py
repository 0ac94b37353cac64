from django.urls import path

from dutydesk.oncall import views
from dutydesk.oncall.views import board, schedules

urlpatterns = [
    path("oncall/ack/<str:token>", views.page_ack, name="oncall-ack"),
    path("oncall/calendar/<str:token>.ics", views.calendar_feed, name="oncall-feed"),
    *board.urlpatterns,
    *schedules.urlpatterns,
]
