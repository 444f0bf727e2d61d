"""URLs of the awareness app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "awareness"

urlpatterns: list[URLPattern] = []
