"""Sigma rule packs, their versions and the rules of each version."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet, path_q, scope_prefixes
from hygie.apps.detection.models.sources import detection_dir


class _GlobalOrNodeQuerySet(RestrictedQuerySet):
    """Rows owned by a node, or global (no node): everyone with a role sees global rows, only superusers change them."""

    #: Lookup of the node (null: global) owning the row.
    node_field: ClassVar[str] = "node"

    def restrict(self, user: Any, action: Action | str = Action.VIEW) -> Self:
        """Node rows as usual; global rows to whoever may view something, changes to superusers only."""
        prefixes = scope_prefixes(user, action)
        if prefixes is None:
            return self
        if Action(action) == Action.VIEW and prefixes:
            return self.filter(path_q(f"{self.node_field}__path", prefixes) | Q(**{f"{self.node_field}__isnull": True}))
        if not prefixes:
            return self.none()
        return self.filter(path_q(f"{self.node_field}__path", prefixes))


class RulePackQuerySet(_GlobalOrNodeQuerySet):
    """Rule packs."""


class RulePack(AuditedModel):
    """A named collection of Sigma rules, for one node's subtree or global (the built-in packs)."""

    node = models.ForeignKey(
        "organizations.Node",
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rule_packs",
        help_text=_("Empty: a global pack, offered to every establishment."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    builtin = models.CharField(_("built-in pack"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = RulePackQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("rule pack")
        verbose_name_plural = _("rule packs")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_rule_pack_name"),
            # NULL never equals NULL in a unique constraint: global names need their own.
            models.UniqueConstraint(fields=["name"], condition=Q(node__isnull=True), name="unique_global_rule_pack"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("detection:pack_detail", args=[self.pk])

    def active_version(self) -> RulePackVersion | None:
        """The version hunts use."""
        return self.versions.filter(active=True).first()


class RulePackVersionQuerySet(_GlobalOrNodeQuerySet):
    """Versions of rule packs (scoped by their pack)."""

    node_field = "pack__node"


class RulePackVersion(models.Model):
    """One upload of a pack's rules, compiled once: what loaded, what failed and why."""

    tenant_path_field = "pack__node__path"

    pack = models.ForeignKey(RulePack, verbose_name=_("rule pack"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    digest = models.CharField(_("digest"), max_length=128)
    archive_sha256 = models.CharField(_("archive SHA-256"), max_length=64)
    source_name = models.CharField(_("source"), max_length=255, blank=True)
    rule_count = models.PositiveIntegerField(_("rules loaded"), default=0)
    failure_count = models.PositiveIntegerField(_("rules refused"), default=0)
    failures = models.JSONField(_("refused rules"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RulePackVersionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-number", "-id"]
        verbose_name = _("rule pack version")
        verbose_name_plural = _("rule pack versions")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["pack", "number"], name="unique_rule_pack_version"),
            models.UniqueConstraint(fields=["pack"], condition=Q(active=True), name="one_active_rule_pack_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pack.name} v{self.number}"

    def get_absolute_url(self) -> str:
        """The pack's page, which lists its versions."""
        return reverse("detection:pack_detail", args=[self.pack_id])

    def archive(self) -> Path:
        """The stored rules (a zip of the Sigma files), named by its SHA-256: the same rules are stored once."""
        return detection_dir() / "packs" / f"{self.archive_sha256}.zip"


class PackRule(models.Model):
    """A compiled rule's metadata, kept per version so coverage pages never recompile a pack."""

    version = models.ForeignKey(RulePackVersion, on_delete=models.CASCADE, related_name="rules")
    rule_id = models.CharField(_("rule id"), max_length=200)
    title = models.CharField(_("title"), max_length=500)
    level = models.PositiveSmallIntegerField(_("level"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-level", "title"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        indexes: ClassVar[list[Any]] = [models.Index(fields=["version", "rule_id"])]

    def __str__(self) -> str:
        return self.title
