"""Log detection on the platform: log sources, their files, Sigma rule packs, hunts and the alerts they raise.

An establishment declares its **log sources** (an EVTX export, Sysmon for Linux, Winlogbeat...),
uploads files to them or lets Hygie watch a server folder. A **hunt** runs the detection engine
over some of those files with one **rule pack version**; every detection becomes an **alert**
(deduplicated: hunting the same file again raises nothing new) that analysts acknowledge, dismiss
as a false positive or escalate to an incident, each step kept in the alert's history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet, path_q, scope_prefixes

__all__ = [
    "MANAGE_WATCHED_FOLDERS",
    "Alert",
    "AlertEvent",
    "AlertLevel",
    "AlertStatus",
    "Hunt",
    "HuntStatus",
    "LogSource",
    "LogSourceKind",
    "LogUpload",
    "PackRule",
    "RulePack",
    "RulePackVersion",
    "detection_dir",
]

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


class AlertLevel(models.IntegerChoices):
    """Sigma rule levels (the engine's ``Level``)."""

    INFORMATIONAL = 0, _("Informational")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


#: CSS badge key of each level (the severity colours of the rest of the platform).
LEVEL_KEYS = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}


class HuntStatus(models.TextChoices):
    """Lifecycle of a hunt (mirrors its job)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class HuntQuerySet(RestrictedQuerySet):
    """Hunts."""


class Hunt(models.Model):
    """One run of a rule pack version over files of a log source, with what the engine read and ran."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(LogSource, verbose_name=_("log source"), on_delete=models.CASCADE, related_name="hunts")
    pack_version = models.ForeignKey(
        RulePackVersion, verbose_name=_("rule pack version"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploads = models.ManyToManyField(LogUpload, verbose_name=_("files"), related_name="hunts")
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=HuntStatus.choices, default=HuntStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    files = models.PositiveIntegerField(_("files read"), default=0)
    events = models.PositiveBigIntegerField(_("events read"), default=0)
    corrupt = models.PositiveIntegerField(_("corrupt records"), default=0)
    read_errors = models.JSONField(_("read errors"), default=list, blank=True)
    rules_run = models.PositiveIntegerField(_("rules run"), default=0)
    rules_skipped = models.PositiveIntegerField(_("rules skipped"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    detection_count = models.PositiveIntegerField(_("detections"), default=0)
    new_alert_count = models.PositiveIntegerField(_("new alerts"), default=0)

    objects = HuntQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("hunt")
        verbose_name_plural = _("hunts")

    def __str__(self) -> str:
        when = timezone.localtime(self.created).strftime("%Y-%m-%d %H:%M")
        return f"{self.source.name} ({when})"

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("detection:hunt_detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        """Queued or running: the page refreshes itself."""
        return self.status in {HuntStatus.QUEUED, HuntStatus.RUNNING}


class AlertStatus(models.TextChoices):
    """Where an alert stands in the analysts' workflow."""

    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FALSE_POSITIVE = "false_positive", _("False positive")
    ESCALATED = "escalated", _("Escalated to an incident")


#: Moves of the workflow: new -> acknowledged -> false positive | escalated (a new alert may be
#: dismissed or escalated at once; a closed one may be reopened by acknowledging it again).
TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.NEW: frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.FALSE_POSITIVE, AlertStatus.ESCALATED}),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.FALSE_POSITIVE, AlertStatus.ESCALATED}),
    AlertStatus.FALSE_POSITIVE: frozenset({AlertStatus.ACKNOWLEDGED}),
    AlertStatus.ESCALATED: frozenset({AlertStatus.ACKNOWLEDGED}),
}
OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)


class AlertQuerySet(RestrictedQuerySet):
    """Alerts."""

    def open(self) -> AlertQuerySet:
        """Alerts still waiting for a decision."""
        return self.filter(status__in=OPEN_STATUSES)


class Alert(AuditedModel):
    """One event matched by one rule, on a log source's file; linked to the inventory asset it names."""

    # The event document is large and never edited: the audit log keeps the workflow fields.
    audit_exclude = ("created", "updated", "event", "tags", "references", "description")

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(LogSource, verbose_name=_("log source"), on_delete=models.CASCADE, related_name="alerts")
    hunt = models.ForeignKey(
        Hunt, verbose_name=_("hunt"), null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    asset = models.ForeignKey(
        "inventory.Asset", verbose_name=_("asset"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_id = models.CharField(_("rule id"), max_length=200)
    rule_title = models.CharField(_("rule"), max_length=500)
    level = models.PositiveSmallIntegerField(_("level"), choices=AlertLevel.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
    timestamp = models.DateTimeField(_("event time"), null=True, blank=True)
    computer = models.CharField(_("host"), max_length=255, blank=True)
    channel = models.CharField(_("channel"), max_length=255, blank=True)
    event_id = models.BigIntegerField(_("event id"), null=True, blank=True)
    record_id = models.BigIntegerField(_("record id"))
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    # The entry of a zip archive the event came from (empty for a plain file): record ids repeat across entries.
    file_member = models.CharField(_("archive entry"), max_length=500, blank=True)
    event = models.JSONField(_("event"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    incident_reference = models.CharField(_("incident reference"), max_length=200, blank=True)
    created = models.DateTimeField(_("raised"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-timestamp", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["source", "rule_id", "file_sha256", "file_member", "record_id"], name="unique_alert_event"
            ),
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["node", "status", "level"]),
            models.Index(fields=["node", "timestamp"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_title} · {self.computer or '?'}"

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("detection:alert_detail", args=[self.pk])

    @property
    def level_key(self) -> str:
        """CSS key of the level (severity colours)."""
        return LEVEL_KEYS.get(int(self.level), "info")

    @property
    def is_open(self) -> bool:
        """New or acknowledged."""
        return self.status in OPEN_STATUSES

    def allowed_transitions(self) -> list[str]:
        """Statuses this alert may move to."""
        return sorted(TRANSITIONS.get(self.status, frozenset()))

    def event_fields(self) -> list[tuple[str, Any]]:
        """The event's fields, sorted by name, empty ones left out."""
        return sorted((str(k), v) for k, v in (self.event or {}).items() if v not in (None, ""))


class AlertEvent(models.Model):
    """One step of an alert's workflow: who moved it, when, from what to what, and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    timestamp = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=16, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AlertStatus.choices)
    comment = models.TextField(blank=True)
    incident_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-timestamp", "-id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.from_status} -> {self.to_status}"
