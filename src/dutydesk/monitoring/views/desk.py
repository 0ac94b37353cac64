"""Monitoring pages of the workspace: checks, integrations, maintenance windows."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
