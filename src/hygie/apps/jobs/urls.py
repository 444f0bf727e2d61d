"""URLs of background jobs."""

from __future__ import annotations

from django.urls import path

from hygie.apps.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
]
