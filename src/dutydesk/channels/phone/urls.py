from django.urls import path

from dutydesk.channels.phone import views

urlpatterns = [
    path("hooks/phone/<str:token>", views.call_event, name="phone-hook"),
]
