from django.urls import path

from dutydesk.oncall import views

urlpatterns = [
    path("oncall/ack/<str:token>", views.page_ack, name="oncall-ack"),
    path("oncall/calendar/<str:token>.ics", views.calendar_feed, name="oncall-feed"),
]
