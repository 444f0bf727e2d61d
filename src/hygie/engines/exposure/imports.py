"""Imports of existing scans (nmap XML, masscan JSON) into the exposure model, for the same judgement.

Imported files are untrusted: XML is parsed by defusedxml with DTDs refused (no entity bombs, no
external entities), files are bounded in size and in hosts, and every malformed input raises
:class:`ScanImportError` with the line or record at fault. Only open TCP ports are kept (the engine
audits TCP services); skipped UDP ports are counted in the result's warnings. Service names are
normalised to the port catalogue's (nmap's ``ms-wbt-server`` becomes ``rdp``) so the checks read
one vocabulary; unnamed services take the catalogue's name and every service its category.
"""

from __future__ import annotations

import ipaddress
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# No stubs for defusedxml in the environment (types-defusedxml is not a dependency yet).
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from hygie.engines.exposure.kev import KEV_ALIASES, parse_cpe
from hygie.engines.exposure.model import Category, Host, ScanResult, Service, printable
from hygie.engines.exposure.ports import CATALOGUE, PortError, parse_ports, port_info

__all__ = [
    "MAX_HOSTS",
    "MAX_IMPORT_BYTES",
    "NMAP_NAMES",
    "ScanImportError",
    "import_masscan_json",
    "import_nmap_xml",
    "import_scan",
]

#: Largest file imported.
MAX_IMPORT_BYTES = 512 * 1024 * 1024
#: Most hosts one import holds (four /16 networks): beyond, split the scan.
MAX_HOSTS = 262_144
#: Most open ports kept per host.
_MAX_PORTS_PER_HOST = 65_535
_MAX_TEXT = 1024

#: nmap service names -> the port catalogue's names (names absent here are kept as nmap wrote them).
NMAP_NAMES: dict[str, str] = {
    "ms-wbt-server": "rdp",
    "microsoft-ds": "smb",
    "ms-sql-s": "mssql",
    "ms-sql-m": "mssql",
    "oracle-tns": "oracle",
    "mongod": "mongodb",
    "memcache": "memcached",
    "kerberos-sec": "kerberos",
    "ldapssl": "ldaps",
    "globalcatldap": "ldap",
    "globalcatldapssl": "ldaps",
    "exec": "rexec",
    "login": "rlogin",
    "shell": "rsh",
    "printer": "lpd",
    "wsman": "winrm",
    "wsmans": "winrm-tls",
    "acr-nema": "dicom",
    "hl7": "hl7-mllp",
    "domain": "dns",
    "http-proxy": "http",
    "http-alt": "http",
    "ssl/http": "https",
    "https-alt": "https",
    "vnc-1": "vnc",
    "asf-rmcp": "ipmi",
    "iss-realsecure": "docker",
    "imap4": "imap",
    "pop3pw": "pop3",
}

#: Name -> category, from the catalogue (names whose category depends on the port are left out).
_NAME_CATEGORY: dict[str, Category] = {}
for _info in CATALOGUE.values():
    _NAME_CATEGORY.setdefault(_info.name, _info.category)
for _name in ("http", "https"):
    _NAME_CATEGORY.pop(_name, None)


class ScanImportError(ValueError):
    """A scan file that cannot be imported; the message says where and why."""


def import_scan(path: Path) -> ScanResult:
    """Import ``path``, an nmap XML (``-oX``) or masscan JSON (``-oJ``) file, told apart by content."""
    head = _read(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return import_nmap_xml(path)
    if head.startswith((b"[", b"{")):
        return import_masscan_json(path)
    raise ScanImportError(f"{path}: neither nmap XML (-oX) nor masscan JSON (-oJ)")


def _read(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ScanImportError(f"{path}: {size} bytes is more than {MAX_IMPORT_BYTES} (split the scan)")
        with path.open("rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise ScanImportError(f"{path}: cannot read ({error.strerror or error})") from None


def _service(port: int, name: str, *, tunnel: str = "", source: str) -> Service:
    """A service named in the catalogue's words, with its category."""
    info = port_info(port)
    name = name.strip().lower().rstrip("?")
    name = NMAP_NAMES.get(name, name)
    if name in {"", "unknown", "tcpwrapped"}:
        name = info.name
    if tunnel == "ssl" and name == "http":
        name = "https"
    if name in _NAME_CATEGORY:
        category = _NAME_CATEGORY[name]
    elif port in CATALOGUE:
        category = info.category
    else:
        category = Category.WEB if name in {"http", "https"} else Category.OTHER
    return Service(port=port, name=name, category=category, source=source)


# --- nmap ------------------------------------------------------------------------------------------


def import_nmap_xml(path: Path, *, max_hosts: int = MAX_HOSTS) -> ScanResult:
    """Import an nmap XML file: up hosts, their open TCP ports, services, CPEs, names and ssl-cert output."""
    _read(path, 0)
    reader = _NmapReader(path, max_hosts)
    try:
        # nmap writes "<!DOCTYPE nmaprun>", so a DTD is allowed; entities (bombs, external files) are not.
        for event, element in iterparse(str(path), events=("start", "end"), forbid_entities=True, forbid_external=True):
            reader.feed(event, element)
    except ET.ParseError as error:
        line, column = error.position
        raise ScanImportError(f"{path}: malformed XML at line {line}, column {column}: {_reason(error)}") from None
    except DefusedXmlException:
        raise ScanImportError(
            f"{path}: the XML declares entities, which nmap never writes; refused (entity bombs, external files)"
        ) from None
    except OSError as error:
        raise ScanImportError(f"{path}: cannot read ({error.strerror or error})") from None
    if reader.root is None:
        raise ScanImportError(f"{path}: empty file, not an nmap XML file")
    if reader.skipped_udp:
        reader.result.warnings.append(
            f"{reader.skipped_udp} open UDP port(s) skipped: the exposure engine audits TCP services"
        )
    return reader.result


class _NmapReader:
    """The state of one nmap XML import, fed element by element."""

    def __init__(self, path: Path, max_hosts: int) -> None:
        self.path = path
        self.max_hosts = max_hosts
        self.result = ScanResult(started_at=_mtime(path), finished_at=_mtime(path), source="nmap")
        self.root: ET.Element | None = None
        self.hosts = 0
        self.skipped_udp = 0

    def feed(self, event: str, element: ET.Element) -> None:
        if event == "start":
            if self.root is None:
                self.root = element
                if element.tag != "nmaprun":
                    raise ScanImportError(f"{self.path}: not an nmap XML file (root element <{element.tag[:40]}>)")
                _nmap_run(element, self.result)
            return
        if element.tag == "host":
            self.hosts += 1
            if self.hosts > self.max_hosts:
                raise ScanImportError(
                    f"{self.path}: more than {self.max_hosts} hosts; split the scan into smaller files"
                )
            host, udp = _nmap_host(element)
            self.skipped_udp += udp
            if host is not None:
                self.result.hosts.append(host)
            # Hosts already read leave the tree: memory stays flat on large scans.
            element.clear()
            if self.root is not None and element in self.root:
                self.root.remove(element)
        elif element.tag == "scaninfo":
            _nmap_scaninfo(element, self.result)
        elif element.tag == "finished":
            self.result.finished_at = _epoch(element.get("time"), self.result.finished_at)


def _reason(error: ET.ParseError) -> str:
    """The expat reason without its position (given apart)."""
    return re.sub(r": line \d+, column \d+$", "", str(error))


def _nmap_run(element: ET.Element, result: ScanResult) -> None:
    result.started_at = _epoch(element.get("start"), result.started_at)
    result.finished_at = result.started_at
    args = element.get("args")
    if args:
        result.stats["nmap_args"] = printable(args, _MAX_TEXT)
    if element.get("version"):
        result.stats["nmap_version"] = printable(element.get("version") or "", 40)


def _nmap_scaninfo(element: ET.Element, result: ScanResult) -> None:
    if element.get("protocol") != "tcp":
        return
    try:
        result.ports = list(parse_ports(element.get("services") or ""))
    except PortError as error:
        result.warnings.append(f"the scanned port list could not be read: {error}")


def _nmap_host(element: ET.Element) -> tuple[Host | None, int]:
    """The host of a ``<host>`` element (None when down or without open TCP port) and its open UDP count."""
    status = element.find("status")
    if status is not None and status.get("state") != "up":
        return None, 0
    address = next((a.get("addr", "") for a in element.findall("address") if a.get("addrtype") in {"ipv4", "ipv6"}), "")
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        raise ScanImportError(f"a <host> has no valid IP address ({printable(address, 60)!r})") from None
    names = [
        printable(h.get("name", ""), 253) for h in element.findall("hostnames/hostname") if h.get("name", "").strip()
    ]
    host = Host(address=address, names=list(dict.fromkeys(names)))
    udp = 0
    for port in element.findall("ports/port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        if port.get("protocol") != "tcp":
            udp += port.get("protocol") == "udp"
            continue
        number = _port_number(port.get("portid"), address)
        if host.service(number) is None and len(host.services) < _MAX_PORTS_PER_HOST:
            host.services.append(_nmap_service(number, port))
    return (host if host.services else None), udp


def _port_number(value: Any, address: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 65536:  # noqa: PLR2004 - TCP port range
        raise ScanImportError(f"host {address}: {printable(str(value), 20)!r} is not a TCP port")
    return number


def _nmap_service(number: int, port: ET.Element) -> Service:
    info = port.find("service")
    attributes = info.attrib if info is not None else {}
    service = _service(number, attributes.get("name", ""), tunnel=attributes.get("tunnel", ""), source="nmap")
    service.product = printable(attributes.get("product", ""), 120)
    service.version = printable(attributes.get("version", ""), 120)
    details: dict[str, Any] = {
        key: printable(attributes[key], 200)
        for key in ("name", "extrainfo", "ostype", "devicetype", "hostname", "method", "conf", "tunnel")
        if attributes.get(key)
    }
    cpes = [printable(c.text or "", 200) for c in (info.findall("cpe") if info is not None else [])]
    if cpes:
        details["cpe"] = cpes
    parsed = [cpe for cpe in (parse_cpe(text) for text in cpes) if cpe is not None]
    # The application's CPE names the service; nmap adds the OS's (cpe:/o:linux:linux_kernel) beside
    # it, which names the service only for edge devices whose firmware is the product (FortiOS, PAN-OS).
    chosen = next((cpe for cpe in parsed if cpe.part == "a"), None) or next(
        (cpe for cpe in parsed if f"{cpe.vendor}:{cpe.product}" in KEV_ALIASES), None
    )
    if chosen is not None:
        service.cpe = chosen.to_string()
    for script in port.findall("script"):
        if script.get("id") == "ssl-cert":
            service.tls = _ssl_cert(script)
        elif script.get("id") == "banner":
            service.banner = printable(script.get("output", ""))
    if attributes.get("tunnel") == "ssl" and service.tls is None:
        service.tls = {"source": "nmap", "tunnel": "ssl"}
    service.details["nmap"] = details
    return service


def _ssl_cert(script: ET.Element) -> dict[str, Any]:
    """The ``ssl-cert`` script output of nmap as the service's TLS observation."""

    def table(key: str) -> ET.Element | None:
        return next((t for t in script.findall("table") if t.get("key") == key), None)

    def elems(node: ET.Element | None) -> dict[str, str]:
        if node is None:
            return {}
        return {printable(e.get("key", ""), 60): printable(e.text or "", 300) for e in node.findall("elem")}

    def elem(key: str) -> str:
        return next((printable(e.text or "", 300) for e in script.findall("elem") if e.get("key") == key), "")

    subject, issuer = elems(table("subject")), elems(table("issuer"))
    validity, pubkey = elems(table("validity")), elems(table("pubkey"))
    certificate: dict[str, Any] = {
        "subject": subject,
        "issuer": issuer,
        "subject_cn": subject.get("commonName", ""),
        "self_signed": bool(subject) and subject == issuer,
        "not_before": _iso(validity.get("notBefore", "")),
        "not_after": _iso(validity.get("notAfter", "")),
        "key_type": pubkey.get("type", ""),
        "key_bits": int(pubkey["bits"]) if pubkey.get("bits", "").isdigit() else None,
        "signature_algorithm": elem("sig_algo"),
        "sha1": elem("sha1"),
        "sha256": elem("sha256"),
        "subject_alt_names": _san(script),
    }
    return {"source": "nmap", "certificate": certificate}


def _san(script: ET.Element) -> list[str]:
    """``DNS:...`` names of the Subject Alternative Name extension, when nmap printed it."""
    for extension in script.findall("table[@key='extensions']/table"):
        if any(e.get("key") == "name" and e.text == "X509v3 Subject Alternative Name" for e in extension):
            value = next((e.text or "" for e in extension if e.get("key") == "value"), "")
            return [printable(n.strip(), 253) for n in value.split(",") if n.strip()][:100]
    return []


def _iso(text: str) -> str:
    """A date of nmap (``2024-01-01T00:00:00`` with or without offset) as an ISO date-time in UTC ('' if unreadable)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _epoch(value: str | None, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(value or ""), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return default


def _mtime(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return datetime.now(tz=UTC)


# --- masscan ---------------------------------------------------------------------------------------

_FINISHED_RE = re.compile(rb"^\s*\{\s*finished\s*:\s*1\s*\}\s*,?\s*$", re.MULTILINE)
_TRAILING_COMMA_RE = re.compile(rb",\s*\]\s*$")
#: masscan banner protocols that name a service the same way the catalogue does.
_MASSCAN_NAMES = frozenset({"http", "https", "ssh", "ftp", "smtp", "rdp", "vnc", "telnet", "pop3", "imap"})


def import_masscan_json(path: Path, *, max_hosts: int = MAX_HOSTS) -> ScanResult:
    """Import a masscan ``-oJ`` file, the current format or the older one (trailing comma, ``{finished: 1}``)."""
    records = _masscan_records(path)
    result = ScanResult(started_at=_mtime(path), finished_at=_mtime(path), source="masscan")
    hosts: dict[str, Host] = {}
    times: list[int] = []
    skipped_udp = 0
    for index, record in enumerate(records, start=1):
        if isinstance(record, dict) and set(record) == {"finished"}:
            continue
        address, ports, stamp = _masscan_record(record, index)
        if stamp is not None:
            times.append(stamp)
        host = hosts.get(address)
        if host is None:
            if len(hosts) >= max_hosts:
                raise ScanImportError(f"{path}: more than {max_hosts} hosts; split the scan into smaller files")
            host = hosts[address] = Host(address=address)
        for item in ports:
            skipped_udp += _masscan_port(host, item, index)
    result.hosts = [host for host in hosts.values() if host.services]
    if times:
        result.started_at = datetime.fromtimestamp(min(times), tz=UTC)
        result.finished_at = datetime.fromtimestamp(max(times), tz=UTC)
    if skipped_udp:
        result.warnings.append(f"{skipped_udp} open UDP port(s) skipped: the exposure engine audits TCP services")
    return result


def _masscan_records(path: Path) -> list[Any]:
    data = _read(path, MAX_IMPORT_BYTES)
    try:
        records = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        # masscan before 1.3 wrote ",\n]" at the end and a "{finished: 1}" line that is not JSON.
        repaired = _TRAILING_COMMA_RE.sub(b"\n]", _FINISHED_RE.sub(b"", data))
        try:
            records = json.loads(repaired)
        except UnicodeDecodeError:
            raise ScanImportError(f"{path}: not UTF-8 text, not a masscan JSON file") from None
        except json.JSONDecodeError as error:
            where = f"line {error.lineno}, column {error.colno}"
            raise ScanImportError(f"{path}: malformed masscan JSON at {where}: {error.msg}") from None
    if not isinstance(records, list):
        raise ScanImportError(f"{path}: a masscan JSON file is a list of records, not {type(records).__name__}")
    return records


def _masscan_record(record: Any, index: int) -> tuple[str, list[Any], int | None]:
    if not isinstance(record, dict):
        raise ScanImportError(f"masscan record #{index}: expected an object with 'ip' and 'ports'")
    raw = record.get("ip")
    try:
        address = str(ipaddress.ip_address(raw if isinstance(raw, str) else ""))
    except ValueError:
        raise ScanImportError(f"masscan record #{index}: {printable(str(raw), 60)!r} is not an IP address") from None
    ports = record.get("ports")
    if not isinstance(ports, list):
        raise ScanImportError(f"masscan record #{index} ({address}): 'ports' must be a list")
    stamp = record.get("timestamp")
    try:
        when = int(stamp) if isinstance(stamp, str | int) and not isinstance(stamp, bool) else None
    except ValueError:
        when = None
    if when is not None and not 0 <= when < 2**33:
        when = None
    return address, ports, when


def _masscan_port(host: Host, item: Any, index: int) -> int:
    """Add the open TCP port of ``item`` to ``host``; 1 when it was an open UDP port (skipped), else 0."""
    if not isinstance(item, dict):
        raise ScanImportError(f"masscan record #{index} ({host.address}): each port must be an object")
    number = item.get("port")
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 65536:  # noqa: PLR2004
        raise ScanImportError(f"masscan record #{index} ({host.address}): {printable(str(number), 20)!r} is not a port")
    banner = item.get("service")
    status = item.get("status")
    # Banner records (--banners) carry "service" and no status: the port answered, so it is open.
    if (status is not None and status != "open") or (status is None and not isinstance(banner, dict)):
        return 0
    if (item.get("proto") or "tcp") != "tcp":
        return int(item.get("proto") == "udp")
    service = host.service(number)
    if service is None:
        if len(host.services) >= _MAX_PORTS_PER_HOST:
            return 0
        service = _service(number, "", source="masscan")
        host.services.append(service)
    if isinstance(banner, dict):
        _masscan_banner(service, banner)
    return 0


def _masscan_banner(service: Service, banner: dict[str, Any]) -> None:
    """Keep a banner masscan grabbed; it names the service only where the catalogue does not."""
    name = banner.get("name")
    text = banner.get("banner")
    text = text if isinstance(text, str) else ""
    if text:
        service.banner = printable(text)
    if not isinstance(name, str) or not name:
        return
    banners = service.details.setdefault("masscan", {}).setdefault("banners", {})
    if len(banners) < 32:  # noqa: PLR2004 - a few protocols per port at most
        banners[printable(name, 40)] = printable(text)
    if not service.name and name.lower() in _MASSCAN_NAMES:
        renamed = _service(service.port, name.lower(), source="masscan")
        service.name, service.category = renamed.name, renamed.category
