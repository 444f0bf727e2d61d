"""Directory audits and the stored credentials of live collections, owned by a node of the tree."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import hygie.engines.directory.checks  # noqa: F401 - importing registers every check
from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.directory import crypto
from hygie.apps.findings.stored import severity_groups, stored_findings
from hygie.engines.directory.registry import CHECKS

__all__ = ["AuditSource", "AuditStatus", "DirectoryAudit", "DirectoryCredential"]


class DirectoryCredentialQuerySet(RestrictedQuerySet):
    """Credentials."""


class DirectoryCredential(AuditedModel):
    """How to bind to a directory for a live collection; the password is stored encrypted only."""

    # The encrypted password never enters the audit log's before/after.
    audit_exclude = ("updated", "created", "password_encrypted")

    node = models.ForeignKey(
        "organizations.Node",
        verbose_name=_("owner node"),
        on_delete=models.PROTECT,
        related_name="directory_credentials",
    )
    label = models.CharField(_("label"), max_length=200)
    url = models.CharField(
        _("LDAP URL"), max_length=300, help_text=_("ldaps://dc1.chu.local or ldap://... with StartTLS")
    )
    base_dn = models.CharField(_("base DN"), max_length=300, blank=True)
    bind_user = models.CharField(_("bind user"), max_length=300)
    password_encrypted = models.TextField(editable=False, blank=True)
    ca_certificate = models.TextField(_("CA certificate (PEM)"), blank=True)
    verify = models.BooleanField(_("verify the server certificate"), default=True)
    start_tls = models.BooleanField(_("StartTLS on ldap://"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DirectoryCredentialQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["label"]
        verbose_name = _("directory credential")
        verbose_name_plural = _("directory credentials")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "label"], name="unique_directory_credential_label"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("directory:credential_detail", args=[self.pk])

    def set_password(self, password: str) -> None:
        """Store ``password`` encrypted (nothing is kept in clear, not even on the instance)."""
        self.password_encrypted = crypto.encrypt(password)

    def password(self) -> str:
        """The password in clear, for the collector only; ``CredentialKeyError`` with a wrong key."""
        return crypto.decrypt(self.password_encrypted)

    @property
    def has_password(self) -> bool:
        """True once a password was stored."""
        return bool(self.password_encrypted)


class AuditSource(models.TextChoices):
    """Where the collection came from."""

    UPLOAD = "upload", _("Uploaded collection")
    LDAP = "ldap", _("Live LDAP collection")
    CLI = "cli", _("Command line")


class AuditStatus(models.TextChoices):
    """Lifecycle of an audit (mirrors its job)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class DirectoryAuditQuerySet(RestrictedQuerySet):
    """Audits."""


class DirectoryAudit(AuditedModel):
    """One audit of one collection of an establishment's (or a group's) directory."""

    # The result documents are large and derived: the audit log keeps the summary fields only.
    audit_exclude = ("updated", "created", "result", "categories", "counts", "not_evaluated")

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="directory_audits"
    )
    domain = models.CharField(_("domain"), max_length=300, blank=True)
    domains = models.JSONField(_("domains"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=AuditSource.choices)
    label = models.CharField(_("collection"), max_length=300, blank=True)
    credential = models.ForeignKey(
        DirectoryCredential,
        verbose_name=_("credential"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
    )
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=AuditStatus.choices, default=AuditStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    collected = models.DateTimeField(_("collected"), null=True, blank=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("ANSSI level"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    finding_count = models.PositiveIntegerField(_("findings"), default=0)
    categories = models.JSONField(_("category scores"), default=dict, blank=True)
    counts = models.JSONField(_("findings by severity"), default=dict, blank=True)
    not_evaluated = models.JSONField(_("not evaluated"), default=list, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    snapshot_path = models.CharField(_("snapshot"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = DirectoryAuditQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("directory audit")
        verbose_name_plural = _("directory audits")

    def __str__(self) -> str:
        when = timezone.localtime(self.collected or self.created).strftime("%Y-%m-%d")
        return f"{self.domain or self.label or '?'} ({when})"

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("directory:audit_detail", args=[self.pk])

    @property
    def succeeded(self) -> bool:
        """True when the audit holds a result."""
        return self.status == AuditStatus.SUCCEEDED and self.result is not None

    @property
    def attack_paths(self) -> dict[str, Any] | None:
        """The attack-path document of the result, None when the engine did not compute it."""
        paths = (self.result or {}).get("attack_paths")
        return paths if isinstance(paths, dict) else None

    def findings(self) -> list[dict[str, Any]]:
        """The result's findings, worst first, titled in the active language when the check is known."""
        return stored_findings(self.result, CHECKS)

    def severity_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(severity, findings) pairs, worst first, empty severities left out."""
        return severity_groups(self.findings())
