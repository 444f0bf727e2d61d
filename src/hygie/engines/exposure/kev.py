"""CISA's Known Exploited Vulnerabilities (KEV) catalogue, and which entries concern an exposed service.

The catalogue is imported from a file (JSON as published, or its CSV twin): hospitals' networks are
closed, so nothing here downloads it. :meth:`KevCatalogue.for_service` matches a service by its CPE
vendor and product (``service.cpe``), or by its product name when no CPE is known, through
:data:`KEV_ALIASES`: KEV spells vendors and products for people ("Citrix" / "NetScaler ADC and
NetScaler Gateway", and "Application Delivery Controller (ADC)" in older entries), CPE for machines
(``citrix:netscaler_application_delivery_controller``). Each alias was checked against the spellings
of the catalogue of 2025-08-25. A CPE without an alias still matches an entry whose vendor and
product read the same once case, ``_`` and ``-`` are ignored (``webmin:webmin`` -> Webmin/Webmin), for
applications only: an operating system's CPE matches through an alias or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from hygie.engines.exposure.model import Service

__all__ = [
    "KEV_ALIASES",
    "MAX_KEV_BYTES",
    "PRODUCT_NAMES",
    "Cpe",
    "KevAlias",
    "KevCatalogue",
    "KevEntry",
    "KevError",
    "parse_cpe",
    "service_cpe",
]

#: Largest catalogue file read (the real one is about 1.3 MB): a bigger file is not a KEV catalogue.
MAX_KEV_BYTES = 64 * 1024 * 1024

_CVE_RE = re.compile(r"CVE-\d{4}-\d{4,19}")
_REQUIRED = (
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
)


class KevError(ValueError):
    """A KEV file that cannot be read as a catalogue; the message says which entry and field."""


@dataclass(frozen=True, slots=True)
class Cpe:
    """The parts of a CPE name the matching reads (values unescaped, lower case; ``*`` for any)."""

    part: str
    vendor: str
    product: str
    version: str = "*"
    update: str = "*"

    @property
    def has_version(self) -> bool:
        """Whether the name carries a concrete version (not ``*`` nor ``-``)."""
        return self.version not in {"*", "-", ""}

    def to_string(self) -> str:
        """The CPE 2.3 formatted string (``cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*``)."""
        fields = [self.part, self.vendor, self.product, self.version, self.update]
        return "cpe:2.3:" + ":".join(_escape(value) for value in fields) + ":*:*:*:*:*:*"


def _escape(value: str) -> str:
    if value in {"*", "-"}:
        return value
    return "".join(c if c.isalnum() or c in "_-." else "\\" + c for c in value)


def _split_formatted(text: str) -> list[str]:
    """Split a CPE 2.3 formatted string on unescaped colons, removing the escapes."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_cpe(text: str) -> Cpe | None:
    """``text`` (CPE 2.3 formatted string, or the 2.2 URI nmap writes: ``cpe:/a:vendor:product:version``) parsed.

    None when ``text`` is not a CPE name with at least a part, a vendor and a product.
    """
    text = text.strip()
    if len(text) > 1024:  # noqa: PLR2004 - no real CPE name comes close
        return None
    if text.lower().startswith("cpe:2.3:"):
        fields = _split_formatted(text)[2:]
    elif text.lower().startswith("cpe:/"):
        fields = [unquote(value) for value in text[5:].split(":")]
    else:
        return None
    fields = [value.strip().lower() for value in fields] + ["*"] * 5
    part, vendor, product, version, update = fields[:5]
    if part not in {"a", "o", "h"} or not vendor or not product or "*" in (vendor, product):
        return None
    return Cpe(part, vendor, product, version or "*", update or "*")


@dataclass(frozen=True, slots=True)
class KevEntry:
    """One known-exploited vulnerability; ``ransomware`` is KEV's ``Known`` or ``Unknown``."""

    cve_id: str
    vendor_project: str
    product: str
    name: str
    date_added: date
    due_date: date
    ransomware: str
    short_description: str
    required_action: str
    notes: str = ""
    cwes: tuple[str, ...] = ()

    @property
    def known_ransomware(self) -> bool:
        """Whether CISA knows of ransomware campaigns using this vulnerability."""
        return self.ransomware.strip().lower() == "known"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the evidence of KEV findings)."""
        return {
            "cve_id": self.cve_id,
            "vendor_project": self.vendor_project,
            "product": self.product,
            "name": self.name,
            "date_added": self.date_added.isoformat(),
            "due_date": self.due_date.isoformat(),
            "ransomware": self.ransomware,
            "required_action": self.required_action,
        }


@dataclass(frozen=True, slots=True)
class KevAlias:
    """How KEV names one CPE vendor:product: its vendor spellings, and phrases found in its product field.

    An entry matches when its vendor (lower case, spaces trimmed) is one of ``vendors`` and its
    product contains one of ``phrases`` as whole words (so "FortiOS and FortiProxy" matches
    ``fortios``, "FortiOS" never matches ``fortiproxy``'s alias by accident).
    """

    vendors: tuple[str, ...]
    phrases: tuple[str, ...]


def _alias(vendors: str, *phrases: str) -> KevAlias:
    return KevAlias(tuple(v.strip() for v in vendors.split("|")), phrases)


_CISCO_ASA = _alias("cisco", "adaptive security appliance")
_CITRIX_ADC = _alias(
    "citrix", "netscaler adc", "netscaler gateway", "application delivery controller", "sd-wan and netscaler"
)
_IVANTI_ICS = _alias("ivanti|pulse secure", "connect secure", "pulse connect secure")
_CHECKPOINT = _alias("check point", "quantum security gateway", "quantum security gateways")
_SONICWALL_SMA = _alias("sonicwall", "sma100", "sma 100", "secure remote access")

#: CPE ``vendor:product`` -> how KEV spells it. The edge devices of hospitals first (ANSSI's
#: incident responses mostly start there), then exposed servers whose KEV entries are remote.
KEV_ALIASES: dict[str, KevAlias] = {
    "fortinet:fortios": _alias("fortinet", "fortios", "multiple products"),
    "fortinet:fortiproxy": _alias("fortinet", "fortiproxy", "multiple products"),
    "fortinet:fortiweb": _alias("fortinet", "fortiweb"),
    "fortinet:fortimanager": _alias("fortinet", "fortimanager"),
    "ivanti:connect_secure": _IVANTI_ICS,
    "pulsesecure:pulse_connect_secure": _IVANTI_ICS,
    "ivanti:policy_secure": _alias("ivanti|pulse secure", "policy secure"),
    "citrix:netscaler_application_delivery_controller": _CITRIX_ADC,
    "citrix:netscaler_gateway": _CITRIX_ADC,
    "citrix:application_delivery_controller": _CITRIX_ADC,
    "citrix:gateway": _CITRIX_ADC,
    "paloaltonetworks:pan-os": _alias("palo alto networks", "pan-os"),
    "cisco:adaptive_security_appliance_software": _CISCO_ASA,
    "cisco:firepower_threat_defense": _alias("cisco", "firepower threat defense"),
    "sonicwall:sonicos": _alias("sonicwall", "sonicos"),
    "sonicwall:sma_100_firmware": _SONICWALL_SMA,
    "sonicwall:sma100": _SONICWALL_SMA,
    "sonicwall:sma1000": _alias("sonicwall", "sma1000"),
    "checkpoint:quantum_security_gateway": _CHECKPOINT,
    "checkpoint:gaia_os": _CHECKPOINT,
    "f5:big-ip": _alias("f5", "big-ip"),
    "f5:big-ip_local_traffic_manager": _alias("f5", "big-ip"),
    "f5:big-ip_access_policy_manager": _alias("f5", "big-ip"),
    "juniper:junos": _alias("juniper", "junos"),
    "sophos:sfos": _alias("sophos", "sfos", "xg firewall", "firewall"),
    "watchguard:fireware": _alias("watchguard", "firebox"),
    "arraynetworks:arrayos_ag": _alias("array networks", "arrayos"),
    "microsoft:exchange_server": _alias("microsoft", "exchange"),
    "microsoft:remote_desktop_services": _alias("microsoft", "remote desktop services"),
    "vmware:esxi": _alias("vmware", "esxi"),
    "vmware:vcenter_server": _alias("vmware", "vcenter server"),
    "apache:http_server": _alias("apache", "http server"),
    "apache:tomcat": _alias("apache", "tomcat"),
    "exim:exim": _alias("exim", "exim", "mail transfer agent"),
    "connectwise:screenconnect": _alias("connectwise", "screenconnect"),
    "progress:moveit_transfer": _alias("progress", "moveit transfer"),
    "zimbra:collaboration": _alias("synacor", "zimbra"),
}

#: Product names probes and scanners print -> CPE ``vendor:product`` (lower case, spaces kept),
#: used when a service has a product but no CPE.
PRODUCT_NAMES: dict[str, str] = {
    "fortios": "fortinet:fortios",
    "fortigate": "fortinet:fortios",
    "fortigate ssl vpn": "fortinet:fortios",
    "fortiproxy": "fortinet:fortiproxy",
    "fortiweb": "fortinet:fortiweb",
    "ivanti connect secure": "ivanti:connect_secure",
    "pulse connect secure": "ivanti:connect_secure",
    "pulse secure": "ivanti:connect_secure",
    "citrix netscaler": "citrix:netscaler_application_delivery_controller",
    "netscaler": "citrix:netscaler_application_delivery_controller",
    "netscaler adc": "citrix:netscaler_application_delivery_controller",
    "netscaler gateway": "citrix:netscaler_gateway",
    "citrix adc": "citrix:netscaler_application_delivery_controller",
    "citrix gateway": "citrix:netscaler_gateway",
    "pan-os": "paloaltonetworks:pan-os",
    "globalprotect": "paloaltonetworks:pan-os",
    "palo alto globalprotect": "paloaltonetworks:pan-os",
    "palo alto networks globalprotect": "paloaltonetworks:pan-os",
    "cisco asa": "cisco:adaptive_security_appliance_software",
    "cisco adaptive security appliance": "cisco:adaptive_security_appliance_software",
    "cisco firepower threat defense": "cisco:firepower_threat_defense",
    "sonicos": "sonicwall:sonicos",
    "sonicwall": "sonicwall:sonicos",
    "sonicwall sma": "sonicwall:sma100",
    "check point": "checkpoint:quantum_security_gateway",
    "check point ssl vpn": "checkpoint:quantum_security_gateway",
    "check point gaia": "checkpoint:quantum_security_gateway",
    "f5 big-ip": "f5:big-ip",
    "big-ip": "f5:big-ip",
    "juniper junos": "juniper:junos",
    "sophos firewall": "sophos:sfos",
    "microsoft exchange": "microsoft:exchange_server",
    "microsoft exchange server": "microsoft:exchange_server",
    "vmware esxi": "vmware:esxi",
    "vmware vcenter server": "vmware:vcenter_server",
    "apache httpd": "apache:http_server",
    "apache http server": "apache:http_server",
    "apache tomcat": "apache:tomcat",
    "exim": "exim:exim",
    "exim smtpd": "exim:exim",
    "webmin": "webmin:webmin",
    "samba": "samba:samba",
    "samba smbd": "samba:samba",
}


def service_cpe(service: Service) -> Cpe | None:
    """The CPE of ``service``: its ``cpe`` when parseable, else one derived from its product name."""
    cpe = parse_cpe(service.cpe) if service.cpe else None
    if cpe is not None:
        if not cpe.has_version and service.version:
            return Cpe(cpe.part, cpe.vendor, cpe.product, _first_word(service.version), cpe.update)
        return cpe
    key = PRODUCT_NAMES.get(" ".join(service.product.lower().split()))
    if key is None:
        return None
    vendor, product = key.split(":", 1)
    return Cpe("a", vendor, product, _first_word(service.version) or "*")


def _first_word(version: str) -> str:
    """``"9.2p1 Debian 2"`` -> ``"9.2p1"``: scanners append distribution details after a space."""
    return version.split(maxsplit=1)[0].lower() if version.strip() else ""


def _words(text: str) -> str:
    """Lower case, ``_``/``-`` kept, every other run of punctuation or space a single space."""
    return " " + " ".join(re.sub(r"[^a-z0-9_\-]+", " ", text.lower()).split()) + " "


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@dataclass(slots=True)
class KevCatalogue:
    """A loaded KEV catalogue: ``version``, ``released`` (None for CSV), ``entries``, ``warnings``."""

    entries: list[KevEntry]
    version: str = ""
    released: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    _by_cve: dict[str, KevEntry] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_cve = {entry.cve_id: entry for entry in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, cve_id: str) -> KevEntry | None:
        """The entry of ``cve_id``, if the catalogue lists it."""
        return self._by_cve.get(cve_id.strip().upper())

    @classmethod
    def load(cls, path: Path) -> KevCatalogue:
        """Read a KEV catalogue (JSON or CSV, told apart by content); ``KevError`` says what is wrong."""
        try:
            size = path.stat().st_size
            if size > MAX_KEV_BYTES:
                raise KevError(f"{path}: {size} bytes is more than a KEV catalogue ({MAX_KEV_BYTES} at most)")
            with path.open("rb") as handle:
                data = handle.read(MAX_KEV_BYTES + 1)
        except OSError as error:
            raise KevError(f"{path}: cannot read the KEV catalogue ({error.strerror or error})") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise KevError(f"{path}: not UTF-8 text (byte {error.start}); a KEV catalogue is JSON or CSV") from None
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str, *, source: str = "<text>") -> KevCatalogue:
        """Parse a catalogue's text (JSON when it starts with ``{``, CSV otherwise)."""
        if text.lstrip().startswith("{"):
            return cls._parse_json(text, source)
        return cls._parse_csv(text, source)

    @classmethod
    def _parse_json(cls, text: str, source: str) -> KevCatalogue:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise KevError(
                f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("vulnerabilities"), list):
            raise KevError(f"{source}: a KEV catalogue is a JSON object with a 'vulnerabilities' list")
        warnings: list[str] = []
        version = data.get("catalogVersion")
        if not isinstance(version, str) or not version:
            warnings.append("the catalogue has no 'catalogVersion'")
            version = ""
        released = None
        raw_released = data.get("dateReleased")
        if isinstance(raw_released, str):
            try:
                released = datetime.fromisoformat(raw_released)
            except ValueError:
                warnings.append(f"'dateReleased' {raw_released[:40]!r} is not a date-time")
        else:
            warnings.append("the catalogue has no 'dateReleased'")
        records = data["vulnerabilities"]
        entries = cls._entries(records, source, warnings)
        count = data.get("count")
        if not isinstance(count, int) or count != len(records):
            warnings.append(f"the header counts {count!r} vulnerabilities but the file lists {len(records)}")
        return cls(entries, version, released, warnings)

    @classmethod
    def _parse_csv(cls, text: str, source: str) -> KevCatalogue:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [name for name in _REQUIRED if name not in header]
        if missing:
            raise KevError(f"{source}: not a KEV catalogue (JSON or CSV): the CSV header lacks {', '.join(missing)}")
        warnings = ["a CSV catalogue carries no version nor release date"]
        try:
            records: list[dict[str, Any]] = []
            for row in reader:
                if None in row:
                    raise KevError(f"{source}: CSV line {reader.line_num} has more fields than the header")
                record: dict[str, Any] = dict(row)
                cwes = record.get("cwes") or ""
                record["cwes"] = [c.strip() for c in cwes.split(",") if c.strip()]
                records.append(record)
        except csv.Error as error:
            raise KevError(f"{source}: malformed CSV at line {reader.line_num}: {error}") from None
        return cls(cls._entries(records, source, warnings), "", None, warnings)

    @staticmethod
    def _entries(records: list[Any], source: str, warnings: list[str]) -> list[KevEntry]:
        entries: dict[str, KevEntry] = {}
        for index, record in enumerate(records):
            entry = _entry(record, f"{source}: vulnerability #{index + 1}")
            if entry.cve_id in entries:
                warnings.append(f"{entry.cve_id} is listed twice; the first entry is kept")
                continue
            entries[entry.cve_id] = entry
        return list(entries.values())

    def for_service(self, service: Service) -> list[KevEntry]:
        """KEV entries about the product of ``service`` (newest first); empty when its product is unknown."""
        cpe = service_cpe(service)
        if cpe is None:
            return []
        if cpe.part != "a" and f"{cpe.vendor}:{cpe.product}" not in KEV_ALIASES:
            # An operating system named by its CPE (nmap adds cpe:/o:microsoft:windows to RDP) is not
            # the exposed product: KEV's 150 Windows entries would drown the edge devices.
            return []
        return self.for_product(cpe.vendor, cpe.product)

    def for_product(self, vendor: str, product: str) -> list[KevEntry]:
        """KEV entries about CPE ``vendor:product`` (newest first)."""
        alias = KEV_ALIASES.get(f"{vendor.lower()}:{product.lower()}")
        found = [entry for entry in self.entries if _matches(entry, vendor, product, alias)]
        return sorted(found, key=lambda e: (e.date_added, e.cve_id), reverse=True)


def _matches(entry: KevEntry, vendor: str, product: str, alias: KevAlias | None) -> bool:
    if alias is not None:
        if entry.vendor_project.strip().lower() not in alias.vendors:
            return False
        words = _words(entry.product)
        return any(_words(phrase) in words for phrase in alias.phrases)
    return _loose(entry.vendor_project).startswith(_loose(vendor)) and _loose(entry.product) == _loose(product)


def _entry(record: Any, where: str) -> KevEntry:
    if not isinstance(record, dict):
        raise KevError(f"{where}: each vulnerability must be an object")
    for key in _REQUIRED:
        if not isinstance(record.get(key), str):
            raise KevError(f"{where}: field {key!r} is missing or not a string")
    cve_id = record["cveID"].strip().upper()
    if not _CVE_RE.fullmatch(cve_id):
        raise KevError(f"{where}: {record['cveID'][:40]!r} is not a CVE id (CVE-YYYY-NNNN)")
    cwes = record.get("cwes") or []
    if not isinstance(cwes, list) or not all(isinstance(c, str) for c in cwes):
        raise KevError(f"{where} ({cve_id}): 'cwes' must be a list of strings")
    ransomware = record.get("knownRansomwareCampaignUse") or "Unknown"
    notes = record.get("notes") or ""
    if not isinstance(ransomware, str) or not isinstance(notes, str):
        raise KevError(f"{where} ({cve_id}): 'knownRansomwareCampaignUse' and 'notes' must be strings")
    return KevEntry(
        cve_id=cve_id,
        vendor_project=record["vendorProject"].strip(),
        product=record["product"].strip(),
        name=record["vulnerabilityName"].strip(),
        date_added=_date(record["dateAdded"], f"{where} ({cve_id}) 'dateAdded'"),
        due_date=_date(record["dueDate"], f"{where} ({cve_id}) 'dueDate'"),
        ransomware=ransomware.strip(),
        short_description=record["shortDescription"].strip(),
        required_action=record["requiredAction"].strip(),
        notes=notes.strip(),
        cwes=tuple(cwes),
    )


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise KevError(f"{where}: {value[:40]!r} is not a date (YYYY-MM-DD)") from None
