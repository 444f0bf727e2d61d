"""The crisis cell of a node, its regulatory profile, and its generated offline crisis kits.

The cell holds roles, people reachable out of band, a duty rota and communication templates; the
profile says what the clocks depend on (NIS2 status, cyber insurance).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet


class Nis2Status(models.TextChoices):
    """Whether the node is an entity under NIS2; empty: inherited from the nearest ancestor."""

    NOT_IN_SCOPE = "not_in_scope", _("Not in scope")
    IMPORTANT = "important", _("Important entity")
    ESSENTIAL = "essential", _("Essential entity")


class Insured(models.TextChoices):
    """Whether the node holds a cyber insurance policy; empty: inherited."""

    YES = "yes", _("Insured")
    NO = "no", _("Not insured")


class RegulatoryProfileQuerySet(RestrictedQuerySet):
    """Regulatory profiles."""


class RegulatoryProfile(AuditedModel):
    """What decides which clocks start: NIS2 status and cyber insurance (OSE is on the node itself).

    An empty value is inherited from the nearest ancestor that sets it, so a GHT can set its
    group-wide policy once.
    """

    node = models.OneToOneField("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                                related_name="regulatory_profile")
    nis2_status = models.CharField(_("NIS2 status"), max_length=16, choices=Nis2Status.choices, blank=True)
    insured = models.CharField(_("cyber insurance"), max_length=4, choices=Insured.choices, blank=True)
    insurer = models.CharField(_("insurer"), max_length=200, blank=True)
    policy_number = models.CharField(_("policy number"), max_length=100, blank=True)
    insurer_hotline = models.CharField(_("insurer's crisis line"), max_length=100, blank=True)
    insurer_notice_hours = models.PositiveIntegerField(
        _("insurer notice period (hours)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
        help_text=_("How long the policy gives to declare a claim. Empty: inherited."),
    )
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = RegulatoryProfileQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path"]
        verbose_name = _("regulatory profile")
        verbose_name_plural = _("regulatory profiles")

    def __str__(self) -> str:
        return str(self.node)


class CrisisCellQuerySet(RestrictedQuerySet):
    """Crisis cells."""


class CrisisCell(AuditedModel):
    """How a node's crisis cell meets and works when the information system is down."""

    node = models.OneToOneField("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                                related_name="crisis_cell")
    plan_blanc_url = models.URLField(
        _("plan blanc link"), max_length=500, blank=True,
        help_text=_("Where the establishment's plan blanc is kept (intranet, document base)."),
    )
    plan_blanc_location = models.CharField(_("paper copy of the plan blanc"), max_length=300, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=300, blank=True)
    fallback_meeting_place = models.CharField(_("fallback meeting place"), max_length=300, blank=True)
    conference_bridge = models.CharField(_("conference bridge"), max_length=300, blank=True,
                                         help_text=_("A line that does not depend on the establishment's network."))
    notes = models.TextField(_("notes"), blank=True)
    kit_daily = models.BooleanField(_("regenerate the crisis kit daily"), default=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = CrisisCellQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path"]
        verbose_name = _("crisis cell")
        verbose_name_plural = _("crisis cells")

    def __str__(self) -> str:
        return str(self.node)


class CrisisRole(models.TextChoices):
    """Roles in the crisis cell, and the outside contacts it calls."""

    DIRECTOR = "director", _("Crisis director")
    MEDICAL_LEAD = "medical_lead", _("Medical lead")
    NURSING_LEAD = "nursing_lead", _("Nursing lead")
    CISO = "ciso", _("CISO")
    CIO = "cio", _("CIO")
    COMMUNICATION = "communication", _("Communication")
    LOGISTICS = "logistics", _("Logistics")
    DPO = "dpo", _("Data protection officer")
    LEGAL = "legal", _("Legal affairs")
    LOG_KEEPER = "log_keeper", _("Crisis-log keeper")
    # Outside the establishment.
    ARS = "ars", _("ARS duty officer")
    CERT_SANTE = "cert_sante", _("CERT Santé")
    INSURER = "insurer", _("Insurer")
    POLICE = "police", _("Police or gendarmerie")
    PROVIDER = "provider", _("IT provider")
    OTHER = "other", _("Other")


#: Roles held by people outside the establishment; the kit lists them as contact points.
EXTERNAL_ROLES = frozenset({CrisisRole.ARS, CrisisRole.CERT_SANTE, CrisisRole.INSURER, CrisisRole.POLICE,
                            CrisisRole.PROVIDER})


class CrisisMemberQuerySet(RestrictedQuerySet):
    """Crisis-cell members."""


class CrisisMember(AuditedModel):
    """A person of the crisis cell (or an outside contact), reachable without the establishment's IS."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                             related_name="crisis_members")
    role = models.CharField(_("role"), max_length=16, choices=CrisisRole.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1,
                                            help_text=_("1: holder of the role; 2 and more: deputies, in order."))
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    landline = models.CharField(_("landline"), max_length=40, blank=True)
    personal_email = models.EmailField(_("personal e-mail"), blank=True,
                                       help_text=_("An address outside the establishment's mail system."))
    work_email = models.EmailField(_("work e-mail"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = CrisisMemberQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "role", "rank", "name"]
        verbose_name = _("crisis-cell member")
        verbose_name_plural = _("crisis-cell members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def external(self) -> bool:
        """Whether the contact is outside the establishment."""
        return self.role in EXTERNAL_ROLES


class DutyShiftQuerySet(RestrictedQuerySet):
    """Duty rota."""


class DutyShift(AuditedModel):
    """A member on duty (on call) for a role over a period."""

    tenant_path_field = "member__node__path"

    member = models.ForeignKey(CrisisMember, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="shifts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty rota")

    def __str__(self) -> str:
        return f"{self.member} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        """A shift ends after it starts."""
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift ends after it starts.")})


class Audience(models.TextChoices):
    """Whom a communication speaks to."""

    STAFF = "staff", _("Staff")
    PATIENTS = "patients", _("Patients and families")
    PRESS = "press", _("Press")
    PARTNERS = "partners", _("Partners (GHT, city doctors, ambulances)")


class CommunicationTemplateQuerySet(RestrictedQuerySet):
    """Communication templates."""


class CommunicationTemplate(AuditedModel):
    """A message prepared in peacetime, filled in a crisis.

    ``body`` may name ``{establishment}``, ``{date}``, ``{time}`` and ``{reference}``: they are filled
    from the incident when the message is prepared.
    """

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                             related_name="communication_templates")
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = CommunicationTemplateQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "audience", "title"]
        verbose_name = _("communication template")
        verbose_name_plural = _("communication templates")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "audience", "title"], name="incidents_template_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class KitTrigger(models.TextChoices):
    """Why a crisis kit was generated."""

    ON_DEMAND = "on_demand", _("On demand")
    SCHEDULED = "scheduled", _("Scheduled")


class CrisisKitQuerySet(RestrictedQuerySet):
    """Generated crisis kits."""


class CrisisKit(models.Model):
    """One generation of a node's offline crisis kit: a self-contained HTML file and its PDF.

    The files live in the private data directory (``DATA_DIR/incidents/kits/``), named by their SHA-256.
    """

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                             related_name="crisis_kits")
    trigger = models.CharField(_("trigger"), max_length=16, choices=KitTrigger.choices, default=KitTrigger.ON_DEMAND)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("generated by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    html_sha256 = models.CharField(_("HTML SHA-256"), max_length=64)
    html_size = models.PositiveBigIntegerField(_("HTML size (bytes)"))
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    pdf_size = models.PositiveBigIntegerField(_("PDF size (bytes)"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, help_text=_("What the kit holds (counts)."))

    objects = CrisisKitQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-generated_at", "-id"]
        verbose_name = _("crisis kit")
        verbose_name_plural = _("crisis kits")

    def __str__(self) -> str:
        return f"{self.node} {self.generated_at:%Y-%m-%d %H:%M}"
