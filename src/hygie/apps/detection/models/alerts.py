"""Hunts and the alerts they raise, with each alert's history."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.detection.models.packs import RulePackVersion
from hygie.apps.detection.models.sources import LogSource, LogUpload


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
