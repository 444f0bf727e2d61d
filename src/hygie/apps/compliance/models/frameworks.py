"""Frameworks as stored rows: a copy of a validated framework file, its sections and requirements.

Shipped frameworks (``hygie.frameworks.shipped``) are global (``node`` is null) and visible to every
user; a framework imported from a file (our format or a CISO Assistant library) belongs to the node
that imported it. Rows are rebuilt from the file's document, never edited by hand: a new version of
a file is a new :class:`Framework` row, so assessments keep the wording they were made against.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet


class FrameworkOrigin(models.TextChoices):
    """Where a stored framework came from."""

    SHIPPED = "shipped", _("Shipped with Hygie")
    IMPORTED = "imported", _("Imported")


class FrameworkQuerySet(RestrictedQuerySet):
    """Frameworks: shipped ones (no node) are read by everyone; imported ones follow their node."""

    def restrict(self, user: Any, action: Action | str = Action.VIEW) -> Self:
        """Imported frameworks under the user's scope, plus the global shipped ones for viewing."""
        scoped = super().restrict(user, action)
        if Action(action) != Action.VIEW or not getattr(user, "is_authenticated", False) or not user.is_active:
            return scoped
        return self.filter(models.Q(pk__in=scoped.values("pk")) | models.Q(node__isnull=True))


class Framework(AuditedModel):
    """One version of a framework file, validated by :func:`hygie.frameworks.validate_framework`."""

    key = models.CharField(_("identifier"), max_length=64, db_index=True)
    name = models.CharField(_("name"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    version = models.CharField(_("version"), max_length=64)
    #: SHA-256 of the canonical JSON of ``document``: the same file imported twice is one row.
    digest = models.CharField(_("digest"), max_length=64)
    document = models.JSONField(_("document"), default=dict)
    origin = models.CharField(_("origin"), max_length=16, choices=FrameworkOrigin.choices)
    provisional = models.BooleanField(_("provisional"), default=False)
    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("Empty for the frameworks shipped with Hygie."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    # The document is the whole file: the audit log keeps its digest, not a copy.
    audit_exclude = ("created", "document")

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["key", "-created"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["key", "digest", "node"], name="unique_framework_version_per_owner"),
            models.UniqueConstraint(
                fields=["key", "digest"], condition=models.Q(node__isnull=True), name="unique_shipped_framework_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class FrameworkSection(models.Model):
    """A section of a stored framework (chapter, objective, domain), in the file's order."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    ref = models.CharField(_("identifier"), max_length=64)
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(_("title (French)"), max_length=500, blank=True)
    parent_ref = models.CharField(_("parent"), max_length=64, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["framework", "order"]
        verbose_name = _("framework section")
        verbose_name_plural = _("framework sections")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_framework_section_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class FrameworkRequirement(models.Model):
    """A requirement of a stored framework, with the engine checks that give it evidence."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    section = models.ForeignKey(FrameworkSection, on_delete=models.CASCADE, related_name="requirements")
    ref = models.CharField(_("identifier"), max_length=64)
    title = models.CharField(_("title"), max_length=500)
    title_fr = models.CharField(_("title (French)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    parent_ref = models.CharField(_("parent"), max_length=64, blank=True)
    #: Lowest maturity level at which the requirement is evaluated (ANSSI AD levels), if any.
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    checks = models.JSONField(_("engine checks"), default=list, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["framework", "order"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_framework_requirement_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"
