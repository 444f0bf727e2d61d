"""URLs of the inventory: ``<model>_list|add|import|detail|edit|delete`` for each of the three models."""

from __future__ import annotations

from django.urls import path

from hygie.apps.inventory import views

app_name = "inventory"

urlpatterns = [
    path("assets/", views.AssetListView.as_view(), name="asset_list"),
    path("assets/add/", views.AssetEditView.as_view(), name="asset_add"),
    path("assets/import/", views.AssetImportView.as_view(), name="asset_import"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<int:pk>/edit/", views.AssetEditView.as_view(), name="asset_edit"),
    path("assets/<int:pk>/delete/", views.AssetDeleteView.as_view(), name="asset_delete"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/add/", views.ApplicationEditView.as_view(), name="application_add"),
    path("applications/import/", views.ApplicationImportView.as_view(), name="application_import"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/edit/", views.ApplicationEditView.as_view(), name="application_edit"),
    path("applications/<int:pk>/delete/", views.ApplicationDeleteView.as_view(), name="application_delete"),
    path("care-activities/", views.CareActivityListView.as_view(), name="careactivity_list"),
    path("care-activities/add/", views.CareActivityEditView.as_view(), name="careactivity_add"),
    path("care-activities/import/", views.CareActivityImportView.as_view(), name="careactivity_import"),
    path("care-activities/<int:pk>/", views.CareActivityDetailView.as_view(), name="careactivity_detail"),
    path("care-activities/<int:pk>/edit/", views.CareActivityEditView.as_view(), name="careactivity_edit"),
    path("care-activities/<int:pk>/delete/", views.CareActivityDeleteView.as_view(), name="careactivity_delete"),
]
