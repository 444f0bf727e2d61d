"""What must be known about the whole directory before one entry can be turned into rows.

Group members are DNs, GPO links name GPOs by DN, delegation targets are SPNs and ACE rights on
LAPS attributes need the forest's schema GUIDs: :class:`DirectoryIndex` collects these in a
first pass. :func:`forest_settings` reads the configuration and schema partitions (forest
functional level, dSHeuristics, schema version, SYSVOL replication) that the domain rows carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hygie.engines.directory.ldap_values import (
    Attributes,
    as_guid,
    as_int,
    as_sid,
    as_str,
    dn_domain,
    dn_parent,
    functional_level_name,
    normalise_dn,
    principal_id,
    rdn_value,
)

__all__ = ["DirectoryIndex", "forest_settings"]

_PRINCIPAL_CLASSES = frozenset({"user", "computer", "group"})
_GUID_CLASSES = frozenset(
    {
        "organizationalunit",
        "container",
        "grouppolicycontainer",
        "pkicertificatetemplate",
        "pkienrollmentservice",
        "certificationauthority",
    }
)
# Objects that can contain others in BloodHound's graph (Contains edges start from them).
_CONTAINER_CLASSES = frozenset({"domaindns", "organizationalunit", "container"})
_FSP_CONTAINER = "CN=FOREIGNSECURITYPRINCIPALS,"
# msDFSR-Flags of the DFSR global settings: 32 (redirected) and 48 (eliminated) mean SYSVOL
# is served by DFSR; lower states (start, prepared) still serve it with FRS.
_DFSR_REDIRECTED = 32


def _classes(attrs: Attributes) -> set[str]:
    return {bytes(value).decode("utf-8", errors="replace").lower() for value in attrs.get("objectclass") or ()}


@dataclass
class DirectoryIndex:
    """Lookups across entries: DN -> object id, domain DNS name -> SID, host -> computer..."""

    ids: dict[str, str] = field(default_factory=dict)
    domain_sids: dict[str, str] = field(default_factory=dict)
    containers: set[str] = field(default_factory=set)
    schema_guids: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    unresolved_members: int = 0

    @classmethod
    def build(cls, entries: Sequence[tuple[str, Attributes]]) -> DirectoryIndex:
        """The index of ``entries``; domains first so that well-known SIDs get their prefix."""
        index = cls()
        for dn, attrs in entries:
            if "domaindns" in _classes(attrs):
                sid = as_sid(dn, attrs, "objectsid")
                domain = dn_domain(dn)
                if sid and domain:
                    index.domain_sids[domain] = sid
        for dn, attrs in entries:
            index._add(dn, attrs, _classes(attrs))
        return index

    def _add(self, dn: str, attrs: Attributes, classes: set[str]) -> None:
        key = normalise_dn(dn)
        if classes & _CONTAINER_CLASSES:
            self.containers.add(key)
        if "attributeschema" in classes or "classschema" in classes:
            self._add_schema(dn, attrs)
        elif "domaindns" in classes:
            sid = as_sid(dn, attrs, "objectsid")
            if sid:
                self.ids[key] = sid
        elif classes & _PRINCIPAL_CLASSES and "foreignsecurityprincipal" not in classes:
            sid = as_sid(dn, attrs, "objectsid")
            if sid:
                self.ids[key] = principal_id(sid, dn_domain(dn) or "")
                if "computer" in classes:
                    self._add_host(dn, attrs, self.ids[key])
        elif classes & _GUID_CLASSES:
            self._add_guid_object(dn, attrs, key, is_template="pkicertificatetemplate" in classes)

    def _add_guid_object(self, dn: str, attrs: Attributes, key: str, *, is_template: bool) -> None:
        guid = as_guid(dn, attrs, "objectguid")
        if guid:
            self.ids[key] = guid
            if is_template:
                self.templates[rdn_value(dn).upper()] = guid

    def _add_schema(self, dn: str, attrs: Attributes) -> None:
        name = as_str(dn, attrs, "ldapdisplayname")
        guid = as_guid(dn, attrs, "schemaidguid")
        if name and guid:
            self.schema_guids[name.lower()] = guid.lower()

    def _add_host(self, dn: str, attrs: Attributes, object_id: str) -> None:
        host = as_str(dn, attrs, "dnshostname")
        sam = as_str(dn, attrs, "samaccountname")
        if host:
            self.hosts.setdefault(host.lower(), object_id)
        if sam:
            self.hosts.setdefault(sam.lower().removesuffix("$"), object_id)

    def member_id(self, member_dn: str, domain: str) -> str | None:
        """The object id of a ``member`` value; foreign principals by the SID in their name."""
        key = normalise_dn(member_dn)
        if key in self.ids:
            return self.ids[key]
        parent = dn_parent(key) or ""
        if (parent + ",").startswith(_FSP_CONTAINER):
            return principal_id(rdn_value(member_dn), domain)
        self.unresolved_members += 1
        return None

    def computer_for_spn(self, spn: str) -> str | None:
        """The computer an SPN (``service/host[:port][/name]``) points at, when collected."""
        parts = spn.split("/")
        if len(parts) < 2:  # noqa: PLR2004 - service and host
            return None
        host = parts[1].split(":", 1)[0].lower()
        return self.hosts.get(host) or self.hosts.get(host.split(".", 1)[0])


def forest_settings(entries: Sequence[tuple[str, Attributes]], index: DirectoryIndex) -> dict[str, Any]:
    """Forest-wide values from the configuration and schema partitions, and SYSVOL per domain."""
    scan = _ForestScan()
    for dn, attrs in entries:
        scan.visit(dn, attrs, _classes(attrs))
    settings: dict[str, Any] = {
        "dsheuristics": scan.dsheuristics,
        "schema_version": scan.schema_version,
        "sysvol": {
            domain: _sysvol(
                scan.dfsr_flags.get(domain), dfsr_group=domain in scan.dfsr_groups, frs_set=domain in scan.frs_sets
            )
            for domain in index.domain_sids
        },
    }
    level = scan.forest_level
    if level is None and scan.dsa_levels:
        # Without CN=Partitions, the forest cannot be above its lowest domain controller.
        level = min(scan.dsa_levels)
    settings["forest_functional_level"] = functional_level_name(level) if level is not None else None
    return settings


@dataclass
class _ForestScan:
    """Configuration-partition values met while walking the entries."""

    forest_level: int | None = None
    dsheuristics: str | None = None
    schema_version: int | None = None
    dsa_levels: list[int] = field(default_factory=list)
    dfsr_flags: dict[str, int | None] = field(default_factory=dict)
    dfsr_groups: set[str] = field(default_factory=set)
    frs_sets: set[str] = field(default_factory=set)

    def visit(self, dn: str, attrs: Attributes, classes: set[str]) -> None:
        key = normalise_dn(dn)
        domain = dn_domain(dn) or ""
        if "crossrefcontainer" in classes:
            self.forest_level = as_int(dn, attrs, "msds-behavior-version")
        elif "ntdsdsa" in classes:
            level = as_int(dn, attrs, "msds-behavior-version")
            self.dsa_levels.extend([level] if level is not None else [])
        elif "ntdsservice" in classes or key.startswith(_DIRECTORY_SERVICE):
            self.dsheuristics = as_str(dn, attrs, "dsheuristics")
        elif "dmd" in classes:
            self.schema_version = as_int(dn, attrs, "objectversion")
        elif key.startswith("CN=DFSR-GLOBALSETTINGS,CN=SYSTEM,"):
            self.dfsr_flags[domain] = as_int(dn, attrs, "msdfsr-flags")
        elif key.startswith("CN=DOMAIN SYSTEM VOLUME,CN=DFSR-GLOBALSETTINGS,") or "CN=SYSVOL SUBSCRIPTION," in key:
            self.dfsr_groups.add(domain)
        elif "ntfrsreplicaset" in classes:
            self.frs_sets.add(domain)


_DIRECTORY_SERVICE = "CN=DIRECTORY SERVICE,CN=WINDOWS NT,CN=SERVICES,CN=CONFIGURATION,"


def _sysvol(flags: int | None, *, dfsr_group: bool, frs_set: bool) -> str | None:
    """``DFSR`` or ``FRS``: which service replicates SYSVOL, ``None`` when nothing says."""
    if flags is not None and flags >= _DFSR_REDIRECTED:
        return "DFSR"
    if frs_set:
        return "FRS"
    if dfsr_group:
        return "DFSR"
    return None
