"""Web signatures of edge devices and administration pages, as data, and the matcher that reads them.

An exposed VPN or firewall portal is where most ransomware intrusions into hospitals start; an
administration page (Webmin, a printer, a server's BMC, a hypervisor) should never face the
Internet at all. The HTTP probe fetches ``/`` and the few paths a first answer makes worth asking,
turns each answer into a :class:`Page`, and :func:`identify` names the product from these
signatures.

Each :class:`Signature` says what it matches on, in its ``description`` and in its markers:
publicly documented tell-tales (paths of the login portal, page titles, ``Server`` headers, cookie
names) and, where the product discloses it without authentication, a version rule. The version
is kept as the product discloses it (``22.3.1.1471``, ``9.16(4)``) so that the KEV and CVE
matching can compare it exactly; ``cpe`` names the product in the NVD dictionary's terms.

A signature matches when at least ``min_markers`` of its markers match; a marker tied to a
``path`` counts only on the answer to that path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from hygie.engines.exposure.model import Category, printable

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "SERVER_PRODUCTS",
    "SIGNATURES",
    "DeviceKind",
    "Identification",
    "Marker",
    "Page",
    "Part",
    "ServerProduct",
    "Signature",
    "VersionRule",
    "cpe_name",
    "identify",
    "paths_to_follow",
    "server_product",
]


class DeviceKind(StrEnum):
    """What a matched product is: an edge device (VPN, firewall, gateway) or an administration page."""

    EDGE = "edge"
    ADMIN = "admin"


class Part(StrEnum):
    """The part of an HTTP answer a marker or a version rule reads."""

    TITLE = "title"
    BODY = "body"
    HEADER = "header"
    COOKIE = "cookie"
    LOCATION = "location"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Page:
    """One HTTP answer as the signatures see it; header names are lower case."""

    path: str
    status: int
    title: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def header(self, name: str) -> str:
        """Every value of header ``name`` joined by newlines ('' when absent)."""
        return "\n".join(value for key, value in self.headers if key == name.lower())

    def cookies(self) -> str:
        """The names of the cookies the answer sets, one per line."""
        names = (value.split("=", 1)[0].strip() for key, value in self.headers if key == "set-cookie")
        return "\n".join(names)

    def part(self, part: Part, header: str = "") -> str:
        """The text of ``part`` (``header`` names the header for ``Part.HEADER``)."""
        if part is Part.TITLE:
            return self.title
        if part is Part.BODY:
            return self.body
        if part is Part.COOKIE:
            return self.cookies()
        if part is Part.STATUS:
            return str(self.status)
        return self.header("location" if part is Part.LOCATION else header)


@dataclass(frozen=True, slots=True)
class Marker:
    """A regular expression (case-insensitive) searched in one part of an answer.

    ``path`` restricts the marker to the answer to that path (a portal page that only this
    product serves); ``header`` names the header for ``Part.HEADER``.
    """

    part: Part
    pattern: str
    header: str = ""
    path: str = ""

    def search(self, page: Page) -> str:
        """What the marker found in ``page`` as evidence ('' when nothing)."""
        if self.path and page.path != self.path:
            return ""
        found = re.search(self.pattern, page.part(self.part, self.header), re.IGNORECASE)
        if found is None:
            return ""
        where = f"{self.part.value}" + (f" {self.header}" if self.header else "")
        return f"{page.path} {where}: {printable(found.group(0), 80)}"


@dataclass(frozen=True, slots=True)
class VersionRule:
    """Where a product discloses its version: a regex whose group ``version`` is the version."""

    part: Part
    pattern: str
    header: str = ""
    path: str = ""

    def search(self, page: Page) -> str:
        """The disclosed version in ``page`` ('' when absent)."""
        if self.path and page.path != self.path:
            return ""
        if not 200 <= page.status < 300 and self.part is Part.BODY:  # noqa: PLR2004 - success statuses
            return ""
        found = re.search(self.pattern, page.part(self.part, self.header), re.IGNORECASE)
        return printable(found.group("version"), 40).strip() if found else ""


@dataclass(frozen=True, slots=True)
class Signature:
    """A product recognisable from the web: who makes it, how to name it, how to recognise it.

    ``vendor`` is spelt as CISA's KEV catalogue spells it; ``product`` is the product's usual name
    (what ``service.product`` gets, as the KEV matching's product names know it); ``cpe_vendor``
    and ``cpe_product`` are spelt as the NVD CPE dictionary does. ``follow`` lists the paths worth asking once
    a marker matched (the version file, the login page); ``versions`` where the version shows.
    """

    key: str
    vendor: str
    product: str
    kind: DeviceKind
    category: Category
    description: str
    markers: tuple[Marker, ...]
    cpe_part: str = "a"
    cpe_vendor: str = ""
    cpe_product: str = ""
    follow: tuple[str, ...] = ()
    versions: tuple[VersionRule, ...] = ()
    min_markers: int = 1


@dataclass(frozen=True, slots=True)
class Identification:
    """A signature that matched the answers, with the evidence and the disclosed version."""

    signature: Signature
    evidence: tuple[str, ...]
    version: str = ""
    cpe: str = ""

    def to_dict(self) -> dict[str, object]:
        """The ``details["http"]["edge"]`` (or ``["admin"]``) form."""
        return {
            "key": self.signature.key,
            "kind": self.signature.kind.value,
            "vendor": self.signature.vendor,
            "product": self.signature.product,
            "version": self.version,
            "cpe": self.cpe,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class ServerProduct:
    """A web server named by its ``Server`` header (``nginx/1.22.1``), for service.product when no signature matched."""

    token: str
    product: str
    cpe_vendor: str
    cpe_product: str
    aliases: tuple[str, ...] = field(default=())


_CPE_SPECIAL = re.compile(r"([^A-Za-z0-9._-])")


def cpe_name(part: str, vendor: str, product: str, version: str = "") -> str:
    """The CPE 2.3 formatted name; special characters of the version are backslash-escaped as CPE 2.3 asks."""
    escaped = _CPE_SPECIAL.sub(r"\\\1", version) if version else "*"
    return f"cpe:2.3:{part}:{vendor}:{product}:{escaped}:*:*:*:*:*:*:*"


def _title(pattern: str, path: str = "") -> Marker:
    return Marker(Part.TITLE, pattern, path=path)


def _body(pattern: str, path: str = "") -> Marker:
    return Marker(Part.BODY, pattern, path=path)


def _header(name: str, pattern: str) -> Marker:
    return Marker(Part.HEADER, pattern, header=name)


def _cookie(pattern: str) -> Marker:
    return Marker(Part.COOKIE, pattern)


def _location(pattern: str) -> Marker:
    return Marker(Part.LOCATION, pattern)


_EDGE = DeviceKind.EDGE
_ADMIN = DeviceKind.ADMIN
_VPN = Category.VPN
_ADM = Category.ADMIN

#: Every signature, edge devices first. Order matters only between signatures of one vendor
#: (the first that matches wins there); products of different vendors never share markers.
SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="fortinet_fortigate",
        vendor="Fortinet",
        product="FortiOS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "FortiGate SSL-VPN portal and administration page: the portal lives under /remote/ "
            "(/ redirects to /remote/login), sets the SVPNCOOKIE cookie and loads /remote/fgt_lang; "
            "the administration page loads ftnt-fortinet-grid. No unauthenticated version disclosure."
        ),
        markers=(
            _location(r"/remote/login"),
            _body(r"/remote/(?:login|fgt_lang|logincheck)"),
            _cookie(r"^SVPN(?:NETWORK)?COOKIE$"),
            _body(r"ftnt-fortinet-grid|fortinet-grid"),
            _title(r"^Forti(?:Gate|net)"),
        ),
        cpe_part="o",
        cpe_vendor="fortinet",
        cpe_product="fortios",
        follow=("/remote/login",),
    ),
    Signature(
        key="ivanti_connect_secure",
        vendor="Ivanti",
        product="Ivanti Connect Secure",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Ivanti Connect Secure (formerly Pulse Connect Secure) SSL-VPN: the sign-in pages live "
            "under /dana-na/ (/ redirects to /dana-na/auth/url_default/welcome.cgi), cookies DSSignInURL "
            "and DSID; the client version file /dana-na/nc/nc_gina_ver.txt discloses the build as "
            'PARAM NAME="ProductVersion" VALUE="22.3.1.1471" without authentication.'
        ),
        markers=(
            _location(r"/dana-na/"),
            _body(r"/dana-na/|/dana-cached/"),
            _cookie(r"^(?:DSSignInURL|DSID|DSLastAccess)$"),
            _title(r"(?:Ivanti|Pulse) (?:Connect|Policy) Secure"),
        ),
        cpe_vendor="ivanti",
        cpe_product="connect_secure",
        follow=("/dana-na/auth/url_default/welcome.cgi", "/dana-na/nc/nc_gina_ver.txt"),
        versions=(
            VersionRule(
                Part.BODY,
                r"NAME=\"?ProductVersion\"?\s+VALUE=\"(?P<version>[0-9][0-9A-Za-z.]*)\"",
                path="/dana-na/nc/nc_gina_ver.txt",
            ),
        ),
    ),
    Signature(
        key="citrix_netscaler",
        vendor="Citrix",
        product="NetScaler ADC",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Citrix NetScaler ADC / Gateway (formerly Citrix ADC, Citrix Gateway): the portal lives at "
            "/vpn/index.html or /logon/LogonPoint/, titled 'Citrix Gateway' or 'NetScaler Gateway', and "
            "sets NSC_* cookies (NSC_TMAS, NSC_AAAC). The version only shows through hashed resource "
            "names, which need a lookup table: not disclosed here."
        ),
        markers=(
            _location(r"/vpn/index\.html|/logon/LogonPoint/"),
            _body(r"/vpn/resources/|/logon/LogonPoint/|/vpn/js/"),
            _title(r"(?:Citrix|NetScaler) (?:Gateway|AAA|ADC)"),
            _cookie(r"^NSC_[A-Za-z0-9_]+$"),
        ),
        cpe_part="o",
        cpe_vendor="citrix",
        cpe_product="netscaler_application_delivery_controller",
        follow=("/vpn/index.html",),
    ),
    Signature(
        key="paloalto_globalprotect",
        vendor="Palo Alto Networks",
        product="PAN-OS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Palo Alto Networks GlobalProtect portal or gateway (PAN-OS): pages under /global-protect/ "
            "(login.esp, prelogin.esp) and /ssl-vpn/, titled 'GlobalProtect Portal'. The PAN-OS version "
            "is not disclosed without authentication."
        ),
        markers=(
            _location(r"/global-protect/|/ssl-vpn/"),
            _body(r"/global-protect/|GlobalProtect Portal|/ssl-vpn/"),
            _title(r"GlobalProtect"),
        ),
        cpe_part="o",
        cpe_vendor="paloaltonetworks",
        cpe_product="pan-os",
        follow=("/global-protect/login.esp",),
    ),
    Signature(
        key="cisco_asa",
        vendor="Cisco",
        product="Cisco ASA",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Cisco ASA (and FTD) clientless SSL VPN / AnyConnect gateway: / redirects to "
            "/+CSCOE+/logon.html, cookies webvpn and webvpnlogin; the AnyConnect endpoint "
            '/CSCOSSLC/config-auth answers an XML document whose <version who="sg"> element is the '
            "ASA software version."
        ),
        markers=(
            _location(r"/\+CSCOE\+/"),
            _body(r"/\+CSCOE\+/|/\+CSCOU\+/|/\+webvpn\+/"),
            _cookie(r"^webvpn(?:login|context|_portal)?$"),
            _body(r"<config-auth\b", path="/CSCOSSLC/config-auth"),
        ),
        cpe_part="o",
        cpe_vendor="cisco",
        cpe_product="adaptive_security_appliance_software",
        follow=("/CSCOSSLC/config-auth",),
        versions=(
            VersionRule(
                Part.BODY, r"<version\s+who=\"sg\"\s*>\s*(?P<version>[^<\s]{1,40})\s*<", path="/CSCOSSLC/config-auth"
            ),
        ),
    ),
    Signature(
        key="sonicwall_sma",
        vendor="SonicWall",
        product="SonicWall SMA",
        kind=_EDGE,
        category=_VPN,
        description=(
            "SonicWall Secure Mobile Access (SMA 100 series) appliance: Server header 'SonicWALL SSL-VPN "
            "Web Server', the 'Virtual Office' portal under /cgi-bin/welcome. No version disclosure."
        ),
        markers=(
            _header("server", r"SonicWALL SSL-VPN"),
            _location(r"/cgi-bin/welcome"),
            _title(r"Virtual Office"),
        ),
        cpe_part="o",
        cpe_vendor="sonicwall",
        cpe_product="sma_100_firmware",
        follow=("/cgi-bin/welcome",),
    ),
    Signature(
        key="sonicwall_sonicos",
        vendor="SonicWall",
        product="SonicOS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "SonicWall firewall (SonicOS) management or SSL-VPN page: Server header 'SonicWALL' or "
            "'SonicOS', the /sonicui/ user interface and /api/sonicos/ endpoints."
        ),
        markers=(
            _header("server", r"^Sonic(?:WALL|OS)\b(?!.*SSL-VPN)"),
            _body(r"/sonicui/|/api/sonicos/"),
            _location(r"/sonicui/"),
        ),
        cpe_part="o",
        cpe_vendor="sonicwall",
        cpe_product="sonicos",
    ),
    Signature(
        key="checkpoint_gateway",
        vendor="Check Point",
        product="Check Point Quantum Security Gateway",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Check Point Mobile Access / SSL Network Extender portal: pages under /sslvpn/ "
            "(/sslvpn/Login/Login), titled 'Check Point Mobile' or 'SSL Network Extender', Server header "
            "'Check Point SVN foundation'. No version disclosure."
        ),
        markers=(
            _location(r"/sslvpn/"),
            _body(r"/sslvpn/Login/|/sslvpn/Portal/"),
            _title(r"Check Point|SSL Network Extender"),
            _header("server", r"Check Point SVN"),
        ),
        cpe_part="o",
        cpe_vendor="checkpoint",
        cpe_product="quantum_security_gateway",
    ),
    Signature(
        key="f5_bigip",
        vendor="F5",
        product="F5 BIG-IP",
        kind=_EDGE,
        category=_VPN,
        description=(
            "F5 BIG-IP (Access Policy Manager portal or the TMUI configuration utility): persistence "
            "cookies BIGipServer*, APM session cookies MRHSession / LastMRH_Session, the /my.policy and "
            "/tmui/ paths, Server header 'BigIP'. No version disclosure without authentication."
        ),
        markers=(
            _cookie(r"^(?:BIGipServer\S*|MRHSession|LastMRH_Session|F5_ST)$"),
            _location(r"/my\.policy|/tmui/"),
            _body(r"/my\.policy|/tmui/login\.jsp"),
            _header("server", r"^Big-?IP"),
            _title(r"BIG-IP"),
        ),
        cpe_vendor="f5",
        cpe_product="big-ip_access_policy_manager",
    ),
    # ---- Administration pages -------------------------------------------------------------
    Signature(
        key="webmin",
        vendor="Webmin",
        product="Webmin",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Webmin system administration: served by its own MiniServ web server (Server header "
            "'MiniServ/<version>', the Webmin version), login page titled 'Login to Webmin'."
        ),
        markers=(_header("server", r"^MiniServ/"), _title(r"Login to (?:Webmin|Usermin|Virtualmin)")),
        cpe_vendor="webmin",
        cpe_product="webmin",
        versions=(VersionRule(Part.HEADER, r"MiniServ/(?P<version>[0-9][0-9.]*)", header="server"),),
    ),
    Signature(
        key="hpe_ilo",
        vendor="Hewlett Packard Enterprise (HPE)",
        product="HPE iLO",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "HPE Integrated Lights-Out (iLO) server management controller: Server header "
            "'HPE-iLO-Server' or 'HP-iLO-Server', title containing 'iLO', the /json/login_session API."
        ),
        markers=(
            _header("server", r"HPE?-iLO-Server"),
            _title(r"\biLO\b"),
            _body(r"/json/login_session"),
        ),
        cpe_part="o",
        cpe_vendor="hpe",
        cpe_product="integrated_lights-out_firmware",
    ),
    Signature(
        key="dell_idrac",
        vendor="Dell",
        product="Dell iDRAC",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Dell iDRAC (integrated Dell Remote Access Controller): title containing 'iDRAC', the "
            "/restgui/ interface (iDRAC9) or /login.html with idrac resources."
        ),
        markers=(_title(r"iDRAC"), _location(r"/restgui/"), _body(r"/restgui/start\.html|idrac")),
        cpe_part="o",
        cpe_vendor="dell",
        cpe_product="idrac_firmware",
    ),
    Signature(
        key="vmware_esxi",
        vendor="VMware",
        product="VMware ESXi",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "VMware ESXi host client: welcome page titled 'VMware ESXi' with the ID_EESX_Welcome "
            "element, the host client under /ui/."
        ),
        markers=(_title(r"VMware ESXi"), _body(r"ID_EESX_Welcome"), _location(r"^/ui/?$")),
        cpe_part="o",
        cpe_vendor="vmware",
        cpe_product="esxi",
    ),
    Signature(
        key="apache_tomcat",
        vendor="Apache",
        product="Apache Tomcat",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Apache Tomcat default pages and Manager application: titles and error pages carrying "
            "'Apache Tomcat/<version>', the Manager's Basic realm 'Tomcat Manager Application' on "
            "/manager/html."
        ),
        markers=(
            _title(r"Apache Tomcat"),
            _body(r"Apache Tomcat/[0-9]"),
            Marker(Part.HEADER, r"Tomcat Manager Application", header="www-authenticate"),
        ),
        cpe_vendor="apache",
        cpe_product="tomcat",
        follow=("/manager/html",),
        versions=(
            VersionRule(Part.TITLE, r"Apache Tomcat/(?P<version>[0-9][0-9.]*)"),
            VersionRule(Part.BODY, r"Apache Tomcat/(?P<version>[0-9][0-9.]*)"),
        ),
    ),
    Signature(
        key="phpmyadmin",
        vendor="phpMyAdmin",
        product="phpMyAdmin",
        kind=_ADMIN,
        category=_ADM,
        description="phpMyAdmin database administration: title 'phpMyAdmin', cookies phpMyAdmin and pma_lang.",
        markers=(_title(r"phpMyAdmin"), _cookie(r"^(?:phpMyAdmin|pma_lang|pmaUser-1)$")),
        cpe_vendor="phpmyadmin",
        cpe_product="phpmyadmin",
    ),
    Signature(
        key="orthanc",
        vendor="Orthanc",
        product="Orthanc",
        kind=_ADMIN,
        category=Category.MEDICAL,
        description=(
            "Orthanc DICOM server's web interface (Orthanc Explorer under /app/explorer.html, "
            "/ui/app/ for Orthanc Explorer 2); its REST API /system returns a JSON object with "
            "'Version' when no authentication is configured."
        ),
        markers=(
            _location(r"/app/explorer\.html|/ui/app/"),
            _title(r"Orthanc"),
            _body(r"\"DicomAet\"|Orthanc Explorer", path="/system"),
        ),
        cpe_vendor="orthanc-server",
        cpe_product="orthanc",
        follow=("/system",),
        versions=(VersionRule(Part.BODY, r"\"Version\"\s*:\s*\"(?P<version>[0-9][0-9.]*)\"", path="/system"),),
    ),
    Signature(
        key="printer_hp",
        vendor="HP",
        product="HP printer",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "HP printer embedded web server: Server header 'HP HTTP Server' or 'HP-ChaiSOE', titles of "
            "HP LaserJet / OfficeJet / PageWide pages."
        ),
        markers=(
            _header("server", r"HP HTTP Server|HP-ChaiSOE|HP-ChaiServer"),
            _title(r"\bHP (?:Color )?(?:LaserJet|OfficeJet|PageWide|DesignJet)"),
        ),
    ),
    Signature(
        key="printer_xerox",
        vendor="Xerox",
        product="Xerox printer",
        kind=_ADMIN,
        category=_ADM,
        description="Xerox printer embedded web server: 'CentreWare Internet Services' or 'Xerox' page titles.",
        markers=(_title(r"CentreWare Internet Services|\bXerox\b"), _body(r"CentreWare Internet Services")),
    ),
    Signature(
        key="printer_brother",
        vendor="Brother",
        product="Brother printer",
        kind=_ADMIN,
        category=_ADM,
        description="Brother printer web page: Server header 'debut/', titles starting with 'Brother '.",
        markers=(_header("server", r"^debut/"), _title(r"^Brother\b")),
    ),
    Signature(
        key="printer_canon",
        vendor="Canon",
        product="Canon printer",
        kind=_ADMIN,
        category=_ADM,
        description="Canon printer 'Remote UI': Server header 'CANON HTTP Server', title 'Remote UI'.",
        markers=(_header("server", r"CANON HTTP Server"), _title(r"Remote UI")),
    ),
    Signature(
        key="printer_ricoh",
        vendor="Ricoh",
        product="Ricoh printer",
        kind=_ADMIN,
        category=_ADM,
        description="Ricoh printer 'Web Image Monitor' (path /web/guest/, title 'Web Image Monitor').",
        markers=(_title(r"Web Image Monitor"), _location(r"/web/guest/")),
    ),
    Signature(
        key="printer_kyocera",
        vendor="Kyocera",
        product="Kyocera printer",
        kind=_ADMIN,
        category=_ADM,
        description="Kyocera printer 'Command Center RX': title or body naming it.",
        markers=(_title(r"Command Center"), _body(r"Command Center RX")),
    ),
    Signature(
        key="printer_generic",
        vendor="",
        product="Printer",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Printer web pages of other makers: CUPS (Server 'CUPS/'), Lexmark and generic embedded "
            "web servers whose title names a printer ('Printer Status', 'Embedded Web Server')."
        ),
        markers=(
            _header("server", r"^CUPS/"),
            _title(r"Lexmark|Printer Status|Embedded Web Server|\bPrinter\b"),
        ),
    ),
)

#: Web servers named by their ``Server`` header, when no signature names the product.
SERVER_PRODUCTS: tuple[ServerProduct, ...] = (
    ServerProduct("nginx", "nginx", "f5", "nginx"),
    ServerProduct("apache", "Apache HTTP Server", "apache", "http_server"),
    ServerProduct("microsoft-iis", "Microsoft IIS", "microsoft", "internet_information_services"),
    ServerProduct("lighttpd", "lighttpd", "lighttpd", "lighttpd"),
    ServerProduct("openresty", "OpenResty", "openresty", "openresty"),
    ServerProduct("caddy", "Caddy", "caddyserver", "caddy"),
)

_SERVER_TOKEN = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.-]*)(?:/([0-9][0-9A-Za-z.]*))?")


def server_product(server: str) -> tuple[str, str, str]:
    """``(product, version, cpe)`` named by a ``Server`` header ('' for unknown parts)."""
    found = _SERVER_TOKEN.match(server)
    if found is None:
        return "", "", ""
    token, version = found.group(1).lower(), found.group(2) or ""
    for known in SERVER_PRODUCTS:
        if token == known.token or token in known.aliases:
            return known.product, version, cpe_name("a", known.cpe_vendor, known.cpe_product, version)
    return "", "", ""


def paths_to_follow(pages: Sequence[Page]) -> list[str]:
    """Paths the signatures matched so far make worth asking, in signature order."""
    paths: list[str] = []
    for signature in SIGNATURES:
        if signature.follow and _evidence(signature, pages):
            paths.extend(path for path in signature.follow if path not in paths)
    return paths


def identify(pages: Iterable[Page]) -> Identification | None:
    """The product the answers show, edge devices first, or None; the version when one was disclosed."""
    seen = list(pages)
    for signature in SIGNATURES:
        evidence = _evidence(signature, seen)
        if len(evidence) < signature.min_markers:
            continue
        version = next((v for rule in signature.versions for page in seen if (v := rule.search(page))), "")
        cpe = cpe_name(signature.cpe_part, signature.cpe_vendor, signature.cpe_product, version)
        return Identification(signature, tuple(evidence[:6]), version, cpe if signature.cpe_vendor else "")
    return None


def _evidence(signature: Signature, pages: Sequence[Page]) -> list[str]:
    """What each marker of ``signature`` found, one line per marker that matched."""
    evidence = []
    for marker in signature.markers:
        found = next((text for page in pages if (text := marker.search(page))), "")
        if found:
            evidence.append(found)
    return evidence
