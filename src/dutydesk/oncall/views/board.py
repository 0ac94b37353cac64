"""On-call pages of the workspace: who is on call, my shifts, pages, policies, handovers."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
