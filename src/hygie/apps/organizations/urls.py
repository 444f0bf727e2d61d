"""URLs of the organisation tree."""

from __future__ import annotations

from django.urls import path

from hygie.apps.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.NodeListView.as_view(), name="node_list"),
    path("add/", views.NodeEditView.as_view(), name="node_add"),
    path("<int:pk>/", views.NodeDetailView.as_view(), name="node_detail"),
    path("<int:pk>/edit/", views.NodeEditView.as_view(), name="node_edit"),
]
