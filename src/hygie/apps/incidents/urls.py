"""URLs of the incidents app."""

from __future__ import annotations

from django.urls import path

from hygie.apps.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
]
