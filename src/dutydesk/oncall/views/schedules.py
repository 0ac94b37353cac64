"""Schedule pages of the workspace: calendar, layers, overrides, checks at edit time."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
