from django.urls import path

from dutydesk.channels.webform import views

urlpatterns = [
    path("forms/<str:slug>/", views.webform_page, name="webform"),
]
