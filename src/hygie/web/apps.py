"""The web layer as an app, so that its templates, static files and tags are found."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Base templates, static assets, template tags."""

    name = "hygie.web"
    label = "web"
    verbose_name = _("Web interface")
