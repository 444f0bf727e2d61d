"""URLs of the compliance app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "compliance"

urlpatterns: list[URLPattern] = []
