"""Assets: the machines and devices an establishment runs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet


class AssetKind(models.TextChoices):
    """What an asset is."""

    SERVER = "server", _("Server")
    WORKSTATION = "workstation", _("Workstation")
    NETWORK = "network", _("Network device")
    SECURITY = "security", _("Security device")
    MEDICAL = "medical", _("Medical device")
    IOT = "iot", _("IoT / building")
    STORAGE = "storage", _("Storage / backup")
    VIRTUAL = "virtual", _("Virtualisation host")


class Criticality(models.IntegerChoices):
    """How much care depends on it; ordered so that sorting puts the vital first."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    VITAL = 4, _("Vital")


class Hosting(models.TextChoices):
    """Where it runs."""

    ON_PREMISE = "on_premise", _("On premise")
    GROUP = "group", _("Group data centre (GHT)")
    HDS = "hds", _("Certified health-data host (HDS)")
    SAAS = "saas", _("SaaS")


def validate_ip_list(value: list[Any]) -> None:
    """Every entry must be an IPv4 or IPv6 address."""
    if not isinstance(value, list):
        raise ValidationError(_("A list of IP addresses is expected."))
    for item in value:
        try:
            validate_ipv46_address(str(item))
        except ValidationError as exc:
            raise ValidationError(_("%(value)s is not an IP address."), params={"value": item}) from exc


def validate_cpe(value: str) -> None:
    """A CPE 2.3 formatted string, ``cpe:2.3:part:vendor:product:version:...`` (13 fields)."""
    parts = value.split(":")
    if not value.startswith("cpe:2.3:") or len(parts) != 13 or parts[2] not in {"a", "o", "h", "*"}:  # noqa: PLR2004
        raise ValidationError(_("A CPE 2.3 name looks like cpe:2.3:o:vendor:product:version:*:*:*:*:*:*:*."))


class AssetQuerySet(RestrictedQuerySet):
    """Assets."""


class Asset(AuditedModel):
    """A server, workstation, device... owned by a node (usually an establishment or a site)."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT,
                             related_name="assets")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    product = models.CharField(_("product"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    cpe = models.CharField(_("CPE"), max_length=255, blank=True, validators=[validate_cpe])
    ip_addresses = models.JSONField(_("IP addresses"), default=list, blank=True, validators=[validate_ip_list])
    owner = models.CharField(_("business owner"), max_length=150, blank=True)
    criticality = models.PositiveSmallIntegerField(_("criticality"), choices=Criticality.choices,
                                                   default=Criticality.MEDIUM)
    hosting = models.CharField(_("hosting"), max_length=16, choices=Hosting.choices, default=Hosting.ON_PREMISE)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "name"], name="unique_asset_name_per_node"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("inventory:asset_detail", args=[self.pk])
