"""Web judgement: edge devices and administration pages facing the Internet, cleartext logins, HSTS.

The checks read ``service.details["http"]`` as the HTTP probe filled it and return nothing
without it (services imported from nmap or masscan). Whether an edge device's version is in the
known-exploited catalogue is judged elsewhere from ``service.cpe``, ``product`` and ``version``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hygie.engines._core import Finding, Severity
from hygie.engines.exposure.model import service_object
from hygie.engines.exposure.registry import make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext

__all__: list[str] = []

_HSTS_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_ANSSI_ADMIN = "https://cyber.gouv.fr/publications/recommandations-relatives-ladministration-securisee-des-si"


def _http(service: Service) -> dict[str, Any] | None:
    observed = service.details.get("http") if isinstance(service.details, dict) else None
    return observed if isinstance(observed, dict) and isinstance(observed.get("status"), int) else None


def _product(observed: dict[str, Any], key: str) -> dict[str, Any] | None:
    product = observed.get(key)
    return product if isinstance(product, dict) and product.get("product") else None


def _product_evidence(product: dict[str, Any]) -> dict[str, Any]:
    return {
        "vendor": product.get("vendor", ""),
        "product": product.get("product", ""),
        "version": product.get("version", ""),
        "cpe": product.get("cpe", ""),
        "evidence": list(product.get("evidence") or [])[:6],
    }


@service_check(
    "exposure.edge_device_exposed",
    title_en="Edge device (VPN, firewall, gateway) exposed",
    title_fr="Équipement de bordure (VPN, pare-feu, passerelle) exposé",
    severity=Severity.INFO,
    remediation=(
        "Keep the device in the inventory of exposed equipment, apply the vendor's security updates within "
        "days (subscribe to its advisories and CERT Santé alerts), require multi-factor authentication, "
        "restrict the administration interface to an internal network, and hide the version where the "
        "product allows it."
    ),
    references=("https://www.cisa.gov/known-exploited-vulnerabilities-catalog",),
)
def check_edge_device(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """An edge device's portal answers (medium when it also discloses its version to anyone)."""
    observed = _http(service)
    edge = _product(observed, "edge") if observed else None
    if edge is None:
        return []
    severity = Severity.MEDIUM if edge.get("version") else None
    return [
        make_finding(
            "exposure.edge_device_exposed",
            [service_object(host.address, service)],
            _product_evidence(edge),
            severity=severity,
        )
    ]


@service_check(
    "exposure.http_admin_interface",
    title_en="Web administration interface exposed",
    title_fr="Interface d'administration web exposée",
    severity=Severity.MEDIUM,
    remediation=(
        "Do not expose administration interfaces (Webmin, printers, iLO/iDRAC, hypervisors, Tomcat "
        "Manager, phpMyAdmin, PACS consoles): reach them through an administration network or a VPN "
        "with multi-factor authentication, and filter the port at the firewall."
    ),
    references=(_ANSSI_ADMIN,),
)
def check_admin_interface(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A known administration page (from the signatures) answers."""
    observed = _http(service)
    admin = _product(observed, "admin") if observed else None
    if admin is None or observed is None:
        return []
    evidence = {**_product_evidence(admin), "scheme": observed.get("scheme", ""), "title": observed.get("title", "")}
    return [make_finding("exposure.http_admin_interface", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.http_cleartext_login",
    title_en="Login or administration page over cleartext HTTP",
    title_fr="Page de connexion ou d'administration en HTTP non chiffré",
    severity=Severity.HIGH,
    remediation=(
        "Serve the page over HTTPS only and redirect HTTP to HTTPS; passwords sent over HTTP can be read "
        "by anyone on the path. Better still, do not expose the page at all."
    ),
    references=(_ANSSI_ADMIN,),
)
def check_cleartext_login(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """Over plain HTTP: a password form, HTTP Basic authentication, or a known admin or edge page."""
    observed = _http(service)
    if observed is None or observed.get("scheme") != "http":
        return []
    reasons = []
    if observed.get("password_form"):
        reasons.append(f"password form on {observed['password_form']}")
    if str(observed.get("www_authenticate", "")).lower().startswith("basic"):
        reasons.append("HTTP Basic authentication")
    for key in ("admin", "edge"):
        product = _product(observed, key)
        if product is not None:
            vendor, name = str(product.get("vendor") or ""), str(product["product"])
            reasons.append(f"{key} page: {name if name.startswith(vendor) else f'{vendor} {name}'}")
    if not reasons:
        return []
    evidence = {"reasons": reasons, "title": observed.get("title", ""), "status": observed["status"]}
    return [make_finding("exposure.http_cleartext_login", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.http_missing_hsts",
    title_en="HTTPS site without HSTS",
    title_fr="Site HTTPS sans HSTS",
    severity=Severity.LOW,
    remediation=(
        "Send 'Strict-Transport-Security: max-age=31536000; includeSubDomains' on every HTTPS answer so that "
        "browsers never fall back to HTTP."
    ),
    references=("https://www.rfc-editor.org/rfc/rfc6797",),
)
def check_missing_hsts(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """An HTTPS answer without Strict-Transport-Security (or with max-age=0)."""
    observed = _http(service)
    if observed is None or observed.get("scheme") != "https" or observed["status"] >= 500:  # noqa: PLR2004
        return []
    headers = observed.get("security_headers")
    value = headers.get("strict-transport-security") if isinstance(headers, dict) else None
    found = _HSTS_MAX_AGE.search(value) if isinstance(value, str) else None
    if found is not None and int(found.group(1)) > 0:
        return []
    evidence = {"status": observed["status"], "header": value, "title": observed.get("title", "")}
    return [make_finding("exposure.http_missing_hsts", [service_object(host.address, service)], evidence)]
