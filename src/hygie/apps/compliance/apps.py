"""Compliance: frameworks stored from their files, assessments per node, evidence (uploaded or measured)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_frameworks(sender: AppConfig, using: str = "default", **_kwargs: Any) -> None:
    """Ship the frameworks with the database: after every migrate, store the shipped versions not stored yet."""
    from hygie.apps.accounts.audit import acting_as
    from hygie.apps.compliance.catalogue import sync_shipped

    if using != "default":
        return
    with acting_as(None, "migrate"):
        sync_shipped()


class ComplianceConfig(AppConfig):
    """Compliance assessments against CaRE, NIS2, NIS/OSE and ANSSI frameworks."""

    name = "hygie.apps.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        """Store the shipped frameworks after migrations; refresh measures after each engine run."""
        from hygie.apps.compliance.autorefresh import on_findings_ingested
        from hygie.apps.findings.signals import findings_ingested

        post_migrate.connect(_sync_frameworks, sender=self, dispatch_uid="compliance.sync_frameworks")
        findings_ingested.connect(on_findings_ingested, dispatch_uid="compliance.refresh_after_engine_run")
