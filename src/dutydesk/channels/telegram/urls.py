from django.urls import path

from dutydesk.channels.telegram import views

urlpatterns = [
    path("hooks/telegram/<str:path>", views.webhook, name="telegram-webhook"),
]
