"""Awareness: staff populations, training and e-learning completions, phishing simulations."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwarenessConfig(AppConfig):
    """Digital-hygiene training coverage and phishing-simulation results per staff category."""

    name = "hygie.apps.awareness"
    label = "awareness"
    verbose_name = _("Awareness")
