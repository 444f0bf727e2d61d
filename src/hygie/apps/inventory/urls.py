"""URLs of the inventory."""

from __future__ import annotations

from django.urls import path

from hygie.apps.inventory import views

app_name = "inventory"

urlpatterns = [
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("care-activities/", views.CareActivityListView.as_view(), name="careactivity_list"),
    path("care-activities/<int:pk>/", views.CareActivityDetailView.as_view(), name="careactivity_detail"),
]
