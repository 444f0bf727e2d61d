"""Incidents: the case, what it touches, its indicators of compromise, tasks and evidence files."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.findings.models import SeverityChoices

#: Clock skew tolerated between a laptop, a phone and the server before a time counts as "in the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class IncidentKind(models.TextChoices):
    """What happened; the malicious kinds start the criminal-complaint clock of insured establishments."""

    RANSOMWARE = "ransomware", _("Ransomware")
    DATA_THEFT = "data_theft", _("Data theft or leak")
    INTRUSION = "intrusion", _("Intrusion")
    FRAUD = "fraud", _("Fraud (identity theft, fake transfer order)")
    PHISHING = "phishing", _("Phishing campaign")
    DENIAL_OF_SERVICE = "denial_of_service", _("Denial of service")
    MALWARE = "malware", _("Malware (other than ransomware)")
    OUTAGE = "outage", _("Outage or failure")
    ACCIDENTAL_DISCLOSURE = "accidental_disclosure", _("Accidental disclosure or loss of data")
    OTHER = "other", _("Other")


#: Kinds that are cyber-attacks (Code des assurances L.12-10-1 speaks of attacks on automated data systems).
MALICIOUS_KINDS = frozenset({
    IncidentKind.RANSOMWARE, IncidentKind.DATA_THEFT, IncidentKind.INTRUSION, IncidentKind.FRAUD,
    IncidentKind.PHISHING, IncidentKind.DENIAL_OF_SERVICE, IncidentKind.MALWARE,
})


class IncidentStatus(models.TextChoices):
    """Where the response stands."""

    OPEN = "open", _("Open")
    CONTAINED = "contained", _("Contained")
    RECOVERING = "recovering", _("Recovering")
    CLOSED = "closed", _("Closed")


def not_in_future(value: dt.datetime | None) -> None:
    """Refuse a time later than now (beyond a few minutes of clock skew)."""
    if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(_("This time is in the future."), code="future")


class IncidentQuerySet(RestrictedQuerySet):
    """Incidents."""

    def active(self) -> IncidentQuerySet:
        """Incidents not closed."""
        return self.exclude(status=IncidentStatus.CLOSED)


class Incident(AuditedModel):
    """A security incident handled by a node (an establishment, or its group when several are hit).

    ``aware_at`` is when the establishment became aware of it: every regulatory clock starts there.
    ``uid`` identifies the case across the central database and its offline copies.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    node = models.ForeignKey("organizations.Node", verbose_name=_("handled by"), on_delete=models.PROTECT,
                             related_name="incidents")
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=24, choices=IncidentKind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=SeverityChoices.choices,
                                                default=SeverityChoices.HIGH)
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN)
    significant = models.BooleanField(
        _("significant incident"), default=True,
        help_text=_("A significant or serious incident must be reported (CERT Santé, ANSSI, NIS2)."),
    )
    personal_data_breach = models.BooleanField(
        _("personal-data breach"), default=False,
        help_text=_("Personal data (patients, staff) lost, stolen, altered or disclosed: the CNIL clock applies."),
    )
    high_risk_to_persons = models.BooleanField(
        _("high risk to the persons concerned"), default=False,
        help_text=_("The persons whose data leaked must be informed (GDPR art. 34)."),
    )
    # Times. aware_at starts the clocks; the others measure the response.
    occurred_at = models.DateTimeField(_("started (estimated)"), null=True, blank=True, validators=[not_in_future])
    aware_at = models.DateTimeField(_("aware since"), validators=[not_in_future])
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True, validators=[not_in_future])
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True, validators=[not_in_future])
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, validators=[not_in_future])
    # What it touches (all within the handling node's subtree).
    establishments = models.ManyToManyField("organizations.Node", verbose_name=_("affected establishments"),
                                            blank=True, related_name="incidents_affecting")
    sites = models.ManyToManyField("organizations.Node", verbose_name=_("affected sites"), blank=True,
                                   related_name="incidents_at_site")
    assets = models.ManyToManyField("inventory.Asset", verbose_name=_("affected assets"), blank=True,
                                    related_name="incidents")
    applications = models.ManyToManyField("inventory.Application", verbose_name=_("affected applications"),
                                          blank=True, related_name="incidents")
    activities = models.ManyToManyField("inventory.CareActivity", verbose_name=_("affected care activities"),
                                        blank=True, related_name="incidents")
    alerts = models.ManyToManyField("detection.Alert", verbose_name=_("linked detections"), blank=True,
                                    related_name="incidents")
    findings = models.ManyToManyField("findings.Finding", verbose_name=_("linked findings"), blank=True,
                                      related_name="incidents")
    # The declaration's description and impacts (arrêté of 30 October 2017), filled as the case goes.
    description = models.TextField(_("description"), blank=True)
    scope = models.TextField(_("scope"), blank=True, help_text=_("Sites, services and people concerned."))
    systems_and_data = models.TextField(_("systems and data concerned"), blank=True)
    handling_status = models.TextField(_("handling status"), blank=True,
                                       help_text=_("Measures taken and under way."))
    impact_data = models.TextField(_("impact on data"), blank=True)
    impact_people = models.TextField(_("impact on people (patients, staff)"), blank=True)
    impact_is = models.TextField(_("impact on the information system"), blank=True)
    impact_structure = models.TextField(_("impact on the structure (care, finances, image)"), blank=True)
    causes = models.TextField(_("causes, if known"), blank=True)
    persons_affected = models.PositiveIntegerField(_("persons whose data is concerned"), null=True, blank=True)
    # After the incident.
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-aware_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes: ClassVar[list[Any]] = [models.Index(fields=["node", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def get_absolute_url(self) -> str:
        """The incident's page."""
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def malicious(self) -> bool:
        """Whether the incident is a cyber-attack."""
        return self.kind in MALICIOUS_KINDS

    def clean(self) -> None:
        """Times in order: nothing ends before the establishment became aware, nothing is in the future."""
        super().clean()
        if self.aware_at is None:
            return
        if self.occurred_at is not None and self.occurred_at > self.aware_at:
            raise ValidationError({"occurred_at": _("The incident cannot start after the time of awareness.")})
        for field in ("contained_at", "recovered_at", "closed_at"):
            value = getattr(self, field)
            if value is not None and value < self.aware_at:
                raise ValidationError({field: _("This time is before the time of awareness.")})


class IndicatorKind(models.TextChoices):
    """Kinds of indicators of compromise."""

    IP = "ip", _("IP address")
    DOMAIN = "domain", _("Domain name")
    URL = "url", _("URL")
    HASH = "hash", _("File hash")
    EMAIL = "email", _("E-mail address")
    FILE_NAME = "file_name", _("File name")
    ACCOUNT = "account", _("Account")
    OTHER = "other", _("Other")


class IndicatorQuerySet(RestrictedQuerySet):
    """Indicators of compromise."""


class Indicator(AuditedModel):
    """An indicator of compromise observed in the incident."""

    tenant_path_field = "incident__node__path"

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE,
                                 related_name="indicators")
    kind = models.CharField(_("kind"), max_length=16, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=500)
    note = models.CharField(_("note"), max_length=300, blank=True)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True, validators=[not_in_future])
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "value", "id"]
        verbose_name = _("indicator of compromise")
        verbose_name_plural = _("indicators of compromise")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["incident", "kind", "value"], name="incidents_indicator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class TaskKind(models.TextChoices):
    """Response tasks during the crisis; post-incident actions go to the findings register."""

    RESPONSE = "response", _("Response task")
    ACTION = "action", _("Post-incident action")


class TaskStatus(models.TextChoices):
    """Where a task stands."""

    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class IncidentTaskQuerySet(RestrictedQuerySet):
    """Incident tasks."""


class IncidentTask(AuditedModel):
    """A task of the response, or an action decided after it (lessons learned), with an owner."""

    tenant_path_field = "incident__node__path"

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.RESPONSE)
    title = models.CharField(_("title"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="incident_tasks")
    owner_name = models.CharField(_("owner (name)"), max_length=150, blank=True,
                                  help_text=_("Someone without an account (a provider, a department head)."))
    due = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, validators=[not_in_future])
    finding = models.ForeignKey("findings.Finding", verbose_name=_("finding"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text=_("The finding this action became in the register."))
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = IncidentTaskQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["status", "due", "id"]
        verbose_name = _("incident task")
        verbose_name_plural = _("incident tasks")

    def __str__(self) -> str:
        return self.title


class IncidentEvidenceQuerySet(RestrictedQuerySet):
    """Evidence files of incidents."""


class IncidentEvidence(AuditedModel):
    """A file kept as evidence (ransom note, screenshot, log extract, proof of a declaration sent).

    Stored under its SHA-256 in the private data directory, served only through a permission-checked view.
    """

    tenant_path_field = "incident__node__path"

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE,
                                 related_name="evidence")
    title = models.CharField(_("title"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added = models.DateTimeField(_("added"), default=timezone.now)

    objects = IncidentEvidenceQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-added", "-id"]
        verbose_name = _("incident evidence")
        verbose_name_plural = _("incident evidence")

    def __str__(self) -> str:
        return self.title
