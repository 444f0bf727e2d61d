"""Log sources and the files they hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet

#: A watched folder is a path on the server: only administrators of the node may set it (issue 5,
#: item 5), and the only action the role model reserves to administrators is managing users.
MANAGE_WATCHED_FOLDERS = Action.MANAGE_USERS


def detection_dir() -> Path:
    """The app's private folder in the data dir (uploaded logs, stored rule packs, the rule cache)."""
    return Path(settings.DATA_DIR) / "detection"


def split_names(text: str) -> list[str]:
    """Host names of a text field: one per line (commas and spaces also separate), lower case."""
    return [item.lower() for item in text.replace(",", " ").split() if item]


class LogSourceKind(models.TextChoices):
    """What a log source sends (the readers recognise each line's flavour; this documents the source)."""

    EVTX = "evtx", _("EVTX export")
    SYSMON_LINUX = "sysmon_linux", _("Sysmon for Linux (JSON)")
    WINLOGBEAT = "winlogbeat", _("Winlogbeat / Elastic ECS")
    NXLOG = "nxlog", _("NXLog (JSON)")


class LogSourceQuerySet(RestrictedQuerySet):
    """Log sources."""


class LogSource(AuditedModel):
    """Where an establishment's logs come from: a kind, the hosts it covers, an optional watched folder."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="log_sources"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=LogSourceKind.choices, default=LogSourceKind.EVTX)
    host_names = models.TextField(_("host names"), blank=True, help_text=_("Hosts whose logs it holds, one per line."))
    watched_folder = models.CharField(
        _("watched folder"),
        max_length=1000,
        blank=True,
        help_text=_("A folder on the Hygie server whose new files are hunted (administrators only)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_ingested_at = models.DateTimeField(_("last ingestion"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = LogSourceQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("log source")
        verbose_name_plural = _("log sources")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_log_source_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("detection:source_detail", args=[self.pk])

    def host_list(self) -> list[str]:
        """Declared host names, lower case."""
        return split_names(self.host_names)

    def clean(self) -> None:
        """A watched folder must be an absolute path to an existing directory of the server."""
        folder = self.watched_folder.strip()
        self.watched_folder = folder
        if folder:
            path = Path(folder)
            if not path.is_absolute():
                raise ValidationError({"watched_folder": _("Give an absolute path (starting with /).")})
            if not path.is_dir():
                raise ValidationError({"watched_folder": _("This folder does not exist on the server.")})


class UploadOrigin(models.TextChoices):
    """How a file reached Hygie."""

    UPLOAD = "upload", _("Upload")
    WATCH = "watch", _("Watched folder")


class LogUploadQuerySet(RestrictedQuerySet):
    """Files of log sources."""


class LogUpload(models.Model):
    """One file of a log source, stored under its SHA-256 in the private data dir (never served as is)."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        LogSource, verbose_name=_("log source"), on_delete=models.CASCADE, related_name="uploads"
    )
    name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    suffix = models.CharField(max_length=8)
    origin = models.CharField(_("origin"), max_length=8, choices=UploadOrigin.choices, default=UploadOrigin.UPLOAD)
    # Where a watched file was found, and how it looked: a file is hunted again only when it changed.
    origin_path = models.CharField(max_length=1000, blank=True)
    origin_mtime = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("received"), default=timezone.now)

    objects = LogUploadQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("log file")
        verbose_name_plural = _("log files")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["source", "sha256"], name="unique_log_upload_content"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stored_name(self) -> str:
        """The file's name in storage: its hash and its suffix (the readers pick the format by suffix)."""
        return f"{self.sha256}{self.suffix}"

    def path(self) -> Path:
        """Where the content is stored."""
        return detection_dir() / "uploads" / self.sha256[:2] / self.stored_name
