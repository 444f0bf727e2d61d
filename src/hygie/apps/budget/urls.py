"""URLs of the budget app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "budget"

urlpatterns: list[URLPattern] = []
