"""Intake URLs: the secret token is part of the path."""

from django.urls import path

from dutydesk.channels.alerts import views

urlpatterns = [
    path("hooks/alerts/pagerduty/v2/enqueue", views.pagerduty_enqueue, name="alerts-pagerduty"),
    path("hooks/alerts/<str:token>/<str:kind>", views.hook, name="alerts-hook"),
]
