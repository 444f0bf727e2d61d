"""Exposure perimeters declared by a node's administrators, and the scans (or imports) run against them."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import Action, RestrictedQuerySet
from hygie.apps.findings.stored import SEVERITY_ORDER, severity_groups, stored_findings
from hygie.engines.exposure.perimeter import Perimeter, PerimeterError
from hygie.engines.exposure.policy import PolicyError, ScanPolicy
from hygie.engines.exposure.ports import PortError, parse_ports

if TYPE_CHECKING:
    from hygie.engines.exposure.model import ScanResult

__all__ = [
    "MANAGE_PERIMETERS",
    "SEVERITY_ORDER",
    "ExposurePerimeter",
    "ExposureScan",
    "ScanSource",
    "ScanStatus",
    "split_lines",
]

#: Declaring what may be scanned is for the node's administrators only (issue 4, item 1): the
#: only action the role model reserves to administrators is managing users, so it marks them.
MANAGE_PERIMETERS = Action.MANAGE_USERS


#: How the exposure map names each category of service (the engine's ``Category`` values).
CATEGORY_LABELS = {
    "remote_access": _("Remote access"),
    "file_sharing": _("File sharing"),
    "database": _("Databases"),
    "medical": _("Medical protocols"),
    "admin": _("Administration interfaces"),
    "vpn": _("VPN and edge devices"),
    "web": _("Web"),
    "mail": _("Mail"),
    "directory": _("Directory services"),
    "other": _("Other services"),
}

_DEFAULT_POLICY = ScanPolicy()


def split_lines(text: str) -> list[str]:
    """Entries of a text field: one per line (commas and spaces also separate), blanks dropped."""
    return [item for item in text.replace(",", " ").split() if item]


class PerimeterQuerySet(RestrictedQuerySet):
    """Perimeters."""


class ExposurePerimeter(AuditedModel):
    """What a node declares scannable: ranges, names and domains, who authorised it, until when, and how gently."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="exposure_perimeters"
    )
    name = models.CharField(_("name"), max_length=200)
    entries = models.TextField(
        _("targets"), help_text=_("One per line: address ranges (192.0.2.0/24), host names, *.domains.")
    )
    exclusions = models.TextField(_("exclusions"), blank=True, help_text=_("Addresses, ranges or host names."))
    dns_domains = models.TextField(
        _("DNS domains to check"), blank=True, help_text=_("SPF, DMARC, DKIM, DNSSEC... one domain per line.")
    )
    authorised_by = models.CharField(_("authorised by"), max_length=200)
    valid_until = models.DateTimeField(_("authorisation valid until"))
    ports = models.CharField(
        _("ports"), max_length=2000, default="hospital", help_text=_("hospital, top1000, 22,443,8000-8100...")
    )
    rate = models.FloatField(
        _("connections per second"),
        default=_DEFAULT_POLICY.rate,
        validators=[MinValueValidator(0.1), MaxValueValidator(100_000)],
    )
    host_concurrency = models.PositiveSmallIntegerField(
        _("connections at once per host"),
        default=_DEFAULT_POLICY.host_concurrency,
        validators=[MinValueValidator(1), MaxValueValidator(1024)],
    )
    host_connection_cap = models.PositiveIntegerField(
        _("connections per host per scan"),
        default=_DEFAULT_POLICY.host_connection_cap,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    connect_timeout = models.FloatField(
        _("connect timeout (s)"),
        default=_DEFAULT_POLICY.connect_timeout,
        validators=[MinValueValidator(0.1), MaxValueValidator(60)],
    )
    probe_timeout = models.FloatField(
        _("probe timeout (s)"),
        default=_DEFAULT_POLICY.probe_timeout,
        validators=[MinValueValidator(0.1), MaxValueValidator(120)],
    )
    retries = models.PositiveSmallIntegerField(
        _("retries"), default=_DEFAULT_POLICY.retries, validators=[MaxValueValidator(5)]
    )
    nameservers = models.CharField(
        _("resolver addresses"), max_length=500, blank=True, help_text=_("Empty: the system resolver.")
    )
    resolver_port = models.PositiveIntegerField(
        _("resolver port"), default=53, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    interval_days = models.PositiveSmallIntegerField(
        _("scan every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("Empty: scans start by hand only."),
    )
    next_run_at = models.DateTimeField(_("next scheduled scan"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = PerimeterQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("exposure perimeter")
        verbose_name_plural = _("exposure perimeters")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_exposure_perimeter_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("exposure:perimeter_detail", args=[self.pk])

    def entry_list(self) -> list[str]:
        """Declared targets."""
        return split_lines(self.entries)

    def exclusion_list(self) -> list[str]:
        """Excluded addresses, ranges and names."""
        return split_lines(self.exclusions)

    def domain_list(self) -> list[str]:
        """DNS domains whose e-mail and DNS protections are checked."""
        return [d.lstrip("*.").rstrip(".").lower() for d in split_lines(self.dns_domains)]

    def nameserver_list(self) -> list[str]:
        """Resolver addresses (empty: the system resolver)."""
        return split_lines(self.nameservers)

    def perimeter(self) -> Perimeter:
        """The engine's perimeter; ``PerimeterError`` when an entry is invalid."""
        valid_until = self.valid_until
        if valid_until is not None and timezone.is_naive(valid_until):
            valid_until = timezone.make_aware(valid_until)
        return Perimeter.parse(
            self.entry_list(),
            exclusions=self.exclusion_list(),
            authorised_by=self.authorised_by,
            valid_until=valid_until,
        )

    def policy(self) -> ScanPolicy:
        """The politeness settings; ``PolicyError`` when one is out of range."""
        return ScanPolicy(
            rate=float(self.rate),
            host_concurrency=int(self.host_concurrency),
            host_connection_cap=int(self.host_connection_cap),
            connect_timeout=float(self.connect_timeout),
            retries=int(self.retries),
            probe_timeout=float(self.probe_timeout),
        )

    def port_list(self) -> tuple[int, ...]:
        """The ports to try; ``PortError`` when the list cannot be parsed."""
        return parse_ports(self.ports)

    def clean(self) -> None:
        """Every field as the engine will read it: clear messages on the field at fault."""
        errors: dict[str, Any] = {}
        if self.valid_until is not None and self.authorised_by.strip():
            try:
                self.perimeter()
            except PerimeterError as exc:
                field = "exclusions" if "exclu" in str(exc) else "entries"
                errors[field] = str(exc)
        try:
            self.port_list()
        except PortError as exc:
            errors["ports"] = str(exc)
        try:
            self.policy()
        except (PolicyError, TypeError, ValueError) as exc:
            errors["rate"] = str(exc)
        for domain in self.domain_list():
            try:
                Perimeter.parse([f"*.{domain}"], authorised_by="-", valid_until=timezone.now())
            except PerimeterError as exc:
                errors["dns_domains"] = str(exc)
                break
        for address in self.nameserver_list():
            try:
                ipaddress.ip_address(address)
            except ValueError:
                errors["nameservers"] = _("%(value)s is not an IP address.") % {"value": address[:60]}
                break
        if errors:
            raise ValidationError(errors)

    def schedule_next(self, after: dt.datetime) -> None:
        """Set the next scheduled scan ``interval_days`` after ``after`` (none without an interval); not saved."""
        self.next_run_at = after + dt.timedelta(days=self.interval_days) if self.interval_days else None

    @property
    def expired(self) -> bool:
        """True once the authorisation has ended: the engine refuses every target."""
        return self.valid_until is not None and self.valid_until <= timezone.now()

    def snapshot(self) -> dict[str, Any]:
        """What the perimeter said when a scan ran (kept on the scan: the report shows it even after edits)."""
        return {
            "id": self.pk,
            "name": self.name,
            "entries": self.entry_list(),
            "exclusions": self.exclusion_list(),
            "domains": self.domain_list(),
            "authorised_by": self.authorised_by,
            "valid_until": self.valid_until.isoformat() if self.valid_until else "",
            "ports": self.ports,
        }


class ScanSource(models.TextChoices):
    """Where the observations came from."""

    SCAN = "scan", _("Hygie scan")
    NMAP = "nmap", _("nmap import")
    MASSCAN = "masscan", _("masscan import")


class ScanStatus(models.TextChoices):
    """Lifecycle of a scan (mirrors its job)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScanQuerySet(RestrictedQuerySet):
    """Scans."""

    def done(self) -> ScanQuerySet:
        """Scans holding a result."""
        return self.filter(status=ScanStatus.DONE)


class ExposureScan(AuditedModel):
    """One exposure audit of a perimeter (or one imported nmap/masscan file) on a node."""

    # The result document is large and derived: the audit log keeps the summary fields only.
    audit_exclude = ("updated", "created", "result", "counts", "changes", "perimeter_snapshot")

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="exposure_scans"
    )
    perimeter = models.ForeignKey(
        ExposurePerimeter,
        verbose_name=_("perimeter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )
    perimeter_snapshot = models.JSONField(_("perimeter at scan time"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ScanSource.choices, default=ScanSource.SCAN)
    label = models.CharField(_("label"), max_length=300, blank=True)
    scheduled = models.BooleanField(_("scheduled"), default=False)
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanned_at = models.DateTimeField(_("scanned"), null=True, blank=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("exposure score"), null=True, blank=True)
    host_count = models.PositiveIntegerField(_("hosts"), default=0)
    service_count = models.PositiveIntegerField(_("services"), default=0)
    finding_count = models.PositiveIntegerField(_("findings"), default=0)
    counts = models.JSONField(_("findings by severity"), default=dict, blank=True)
    changes = models.JSONField(_("changes since the previous scan"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("exposure scan")
        verbose_name_plural = _("exposure scans")
        indexes: ClassVar[list[Any]] = [models.Index(fields=["node", "status", "scanned_at"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.scanned_at or self.created).strftime("%Y-%m-%d")
        return f"{self.label or self.get_source_display()} ({when})"

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("exposure:scan_detail", args=[self.pk])

    @property
    def succeeded(self) -> bool:
        """True when the scan holds a result."""
        return self.status == ScanStatus.DONE and self.result is not None

    def scan_result(self) -> ScanResult:
        """The stored result as the engine's object (``ResultFormatError`` if the document is damaged)."""
        from hygie.engines.exposure.model import ScanResult

        return ScanResult.from_dict(self.result or {})

    def hosts(self) -> list[dict[str, Any]]:
        """Hosts of the result with their services."""
        return [h for h in (self.result or {}).get("hosts") or [] if isinstance(h, dict)]

    def domains(self) -> list[dict[str, Any]]:
        """DNS reports of the declared domains."""
        return [d for d in (self.result or {}).get("domains") or [] if isinstance(d, dict)]

    def refused(self) -> list[dict[str, Any]]:
        """Targets the perimeter refused (never contacted), with why."""
        return [r for r in (self.result or {}).get("refused") or [] if isinstance(r, dict)]

    def services(self) -> list[dict[str, Any]]:
        """Every service, flattened with its host's address and names."""
        return [
            {
                **service,
                "address": host.get("address", ""),
                "names": host.get("names") or [],
                "category_label": str(CATEGORY_LABELS.get(str(service.get("category")), service.get("category") or "")),
            }
            for host in self.hosts()
            for service in host.get("services") or []
            if isinstance(service, dict)
        ]

    def tls_services(self) -> list[dict[str, Any]]:
        """Services with a TLS observation."""
        return [s for s in self.services() if isinstance(s.get("tls"), dict)]

    def by_category(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The exposure map: (category label, services), most services first."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for service in self.services():
            groups.setdefault(str(service.get("category") or "other"), []).append(service)
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        return [(str(CATEGORY_LABELS.get(key, key)), services) for key, services in ordered]

    def findings(self) -> list[dict[str, Any]]:
        """The result's findings, worst first, titled in the active language when the check is known."""
        import hygie.engines.exposure.checks  # noqa: F401 - importing registers every check
        from hygie.engines.exposure.registry import CHECKS

        return stored_findings(self.result, CHECKS)

    def severity_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(severity, findings) pairs, worst first, empty severities left out."""
        return severity_groups(self.findings())
