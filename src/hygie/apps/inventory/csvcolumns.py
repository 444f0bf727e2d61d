"""The CSV format of the inventory: one column set per kind, shared by the import and the export.

What the export writes, the import reads back: choice fields as their stable keys (``server``,
``vital``), IP addresses and related names separated by ``|``, the owning node as its FINESS EJ
(or its id when it has none). The import is lenient on top of that: it also accepts choice labels
in every interface language, criticality numbers, and IP addresses separated by commas or spaces.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.inventory.models.assets import validate_cpe
from hygie.web.tables import Column

__all__ = ["SPECS", "CsvColumn", "ImportKind", "ImportSpec", "ValueProblemError", "export_columns", "parse_value"]

#: Separator of multi-valued cells (IP addresses, related names).
SEPARATOR = "|"
#: Longest description accepted from a file (a text field has no length of its own).
MAX_TEXT = 10_000
_IP_SPLIT = re.compile(r"[|,;\s]+")
# The export prefixes formula-looking cells with a quote (CSV injection); the import takes it off.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


class ImportKind(StrEnum):
    """What a file holds (the CLI's ``--kind`` and the API's ``{kind}``)."""

    ASSETS = "assets"
    APPLICATIONS = "applications"
    CARE_ACTIVITIES = "care-activities"


@dataclass(frozen=True)
class ImportSpec:
    """Columns of one kind, in export order; ``relations`` are many-to-many columns given by names."""

    kind: ImportKind
    model: type[models.Model]
    columns: tuple[str, ...]
    required: frozenset[str]
    relations: tuple[str, ...] = ()


SPECS: dict[ImportKind, ImportSpec] = {
    ImportKind.ASSETS: ImportSpec(
        ImportKind.ASSETS, Asset,
        ("name", "node", "kind", "vendor", "product", "version", "cpe", "ip_addresses", "owner", "criticality",
         "hosting", "serial_number", "description"),
        frozenset({"name", "node", "kind"}),
    ),
    ImportKind.APPLICATIONS: ImportSpec(
        ImportKind.APPLICATIONS, Application,
        ("name", "node", "category", "vendor", "version", "criticality", "hosting", "owner", "assets",
         "depends_on", "description"),
        frozenset({"name", "node", "category"}),
        relations=("assets", "depends_on"),
    ),
    ImportKind.CARE_ACTIVITIES: ImportSpec(
        ImportKind.CARE_ACTIVITIES, CareActivity,
        ("name", "node", "patient_impact", "max_downtime_hours", "applications", "description"),
        frozenset({"name", "node"}),
        relations=("applications",),
    ),
}


class ValueProblemError(ValueError):
    """A cell's value is unacceptable; the message is the translated reason."""


def unneutralise(raw: str) -> str:
    """The cell without the quote the export put before a formula-looking value."""
    return _NEUTRALISED.sub("", raw)


@functools.cache
def _choice_aliases(model: type[models.Model], name: str) -> dict[str, Any]:
    """Every accepted spelling (key, number, enum name, label in each language) → stored value."""
    from hygie.apps.inventory.models import Criticality

    field = model._meta.get_field(name)
    choices = list(field.choices or [])  # type: ignore[union-attr]
    aliases: dict[str, Any] = {str(value).lower(): value for value, _label in choices}
    if isinstance(field, models.IntegerField):
        for member in Criticality:
            aliases.setdefault(member.name.lower(), member.value)
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                aliases.setdefault(str(label).strip().lower(), value)
    return aliases


def choice_key(value: Any) -> str:
    """The stable export spelling of a choice: the key, or the lower-case name of a criticality."""
    from hygie.apps.inventory.models import Criticality

    if isinstance(value, int) and not isinstance(value, bool) and value in Criticality.values:
        return Criticality(value).name.lower()
    return str(value)


def _parse_choice(model: type[models.Model], name: str, raw: str) -> Any:
    found = _choice_aliases(model, name).get(raw.strip().lower())
    if found is None:
        choices = model._meta.get_field(name).choices or []  # type: ignore[union-attr]
        allowed = ", ".join(choice_key(value) for value, _label in choices)
        raise ValueProblemError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": raw[:60], "allowed": allowed})
    return found


def _parse_ips(raw: str) -> list[str]:
    addresses = []
    for item in _IP_SPLIT.split(raw.strip()):
        if not item:
            continue
        try:
            addresses.append(str(ipaddress.ip_address(item)))
        except ValueError as exc:
            raise ValueProblemError(_("“%(value)s” is not an IP address.") % {"value": item[:60]}) from exc
    return addresses


def split_names(raw: str) -> list[str]:
    """Related names of a cell, in order, without blanks or repeats."""
    names: list[str] = []
    for part in raw.split(SEPARATOR):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def _parse_text(name: str, raw: str, limit: int) -> str:
    if len(raw) > limit:
        raise ValueProblemError(_("Too long: %(length)d characters, at most %(limit)d.") % {
            "length": len(raw), "limit": limit})
    if name == "name" and not raw:
        raise ValueProblemError(_("A name is required."))
    if name == "cpe" and raw:
        try:
            validate_cpe(raw)
        except ValidationError as exc:
            raise ValueProblemError(" ".join(exc.messages)) from exc
    return raw


def _parse_number(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:  # noqa: PLR2004 - keeps the value inside a 32-bit column
        raise ValueProblemError(_("“%(value)s” is not a positive whole number.") % {"value": raw[:60]})
    return int(raw)


def parse_value(model: type[models.Model], name: str, raw: str) -> Any:
    """The value to store for column ``name`` from the cell text ``raw``; ``ValueProblemError`` if wrong."""
    raw = unneutralise(raw).strip()
    field = model._meta.get_field(name)
    if name == "ip_addresses":
        return _parse_ips(raw)
    if field.choices:
        if not raw:
            if field.has_default():
                return field.get_default()
            raise ValueProblemError(_("A value is required."))
        return _parse_choice(model, name, raw)
    if isinstance(field, models.IntegerField):
        return _parse_number(raw)
    return _parse_text(name, raw, getattr(field, "max_length", None) or MAX_TEXT)


def node_reference(node: Any) -> str:
    """How the export names an owning node: its FINESS EJ, else its id."""
    return node.finess_ej or str(node.pk)


@dataclass(frozen=True)
class CsvColumn(Column):
    """An export column writing what the import reads back (see the module docstring)."""

    def value(self, obj: Any) -> Any:
        """The cell for ``obj``."""
        if self.name == "node":
            return node_reference(obj.node)
        current = getattr(obj, self.name)
        if isinstance(current, models.Manager):
            # Uses the prefetched rows: the export view prefetches every relation column.
            return SEPARATOR.join(sorted(o.name for o in current.all()))
        if isinstance(current, list):
            return SEPARATOR.join(str(v) for v in current)
        if current is None:
            return ""
        if obj._meta.get_field(self.name).choices:
            return choice_key(current)
        return current


def export_columns(kind: ImportKind) -> list[Column]:
    """The CSV columns of ``kind``: headers are the stable column keys the import expects."""
    return [CsvColumn(name, name) for name in SPECS[kind].columns]
