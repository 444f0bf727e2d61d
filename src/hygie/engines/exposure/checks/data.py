"""Checks on medical and database services: who can talk to them without proving who they are.

They read the observations of the ``dicom``, ``mllp``, ``postgresql``, ``mysql``, ``redis`` and
``memcached`` probes. A service imported from nmap or masscan carries no such observation and
gives no finding here: the generic "exposed database / medical port" findings come from the
service checks, which judge the port and name alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hygie.engines._core import Severity
from hygie.engines.exposure.model import service_object
from hygie.engines.exposure.registry import make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext

__all__ = [
    "check_db_cleartext_password",
    "check_db_no_authentication",
    "check_dicom_any_ae_title",
    "check_hl7_mllp_answering",
]


def _observation(service: Service, probe_id: str) -> dict[str, Any]:
    observed = service.details.get(probe_id)
    return observed if isinstance(observed, dict) else {}


@service_check(
    "exposure.dicom_any_ae_title",
    title_en="DICOM listener accepts an association from any AE title",
    title_fr="Service DICOM acceptant une association quel que soit le titre AE",
    severity=Severity.CRITICAL,
    remediation=(
        "Do not expose DICOM to the Internet: reach the PACS or modality through a VPN or a DICOM "
        "gateway restricted to known peers. Configure the listener to accept only the AE titles and "
        "addresses of declared peers (called and calling AE title checks), and use DICOM over TLS "
        "with client certificates for any remote exchange."
    ),
    references=("https://www.dicomstandard.org/current/output/html/part15.html",),
)
def check_dicom_any_ae_title(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The listener accepted our association to ``ANY-SCP`` from an unknown calling AE: patient images are reachable."""
    observed = _observation(service, "dicom")
    if observed.get("accepted") is not True:
        return []
    evidence: dict[str, Any] = {
        key: observed[key]
        for key in (
            "called_ae_proposed",
            "calling_ae_proposed",
            "verification_accepted",
            "implementation_class_uid",
            "implementation_version_name",
            "max_pdu_length",
        )
        if key in observed
    }
    if service.product:
        evidence["product"] = f"{service.product} {service.version}".strip()
    return [make_finding("exposure.dicom_any_ae_title", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.hl7_mllp_answering",
    title_en="HL7 v2 (MLLP) interface answers unknown clients",
    title_fr="Interface HL7 v2 (MLLP) répondant à des clients inconnus",
    severity=Severity.HIGH,
    remediation=(
        "Keep HL7 interfaces on the internal network: restrict the listener to the addresses of the "
        "systems it exchanges with (firewall, interface engine allow-list), carry remote exchanges "
        "over a VPN or TLS-wrapped MLLP, and alert on connections from unknown peers."
    ),
    references=("https://www.hl7.org/implement/standards/product_brief.cfm?product_id=185",),
)
def check_hl7_mllp_answering(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """An MLLP listener acknowledged a frame from us: anyone can feed it messages."""
    observed = _observation(service, "mllp")
    if observed.get("answered") is not True:
        return []
    evidence = {
        key: observed[key]
        for key in ("ack_code", "sending_application", "sending_facility", "version", "message_type")
        if observed.get(key)
    }
    return [make_finding("exposure.hl7_mllp_answering", [service_object(host.address, service)], evidence)]


def _no_authentication(service: Service) -> dict[str, Any] | None:
    """Evidence that ``service`` let us in without a secret, or None."""
    postgres = _observation(service, "postgresql")
    if postgres.get("unauthenticated") is True:
        parameters = postgres.get("parameters") or {}
        return {
            "database": "PostgreSQL",
            "how": "pg_hba.conf trusts the client: user 'postgres' logged in without a password",
            "server_version": parameters.get("server_version", "") if isinstance(parameters, dict) else "",
        }
    mysql = _observation(service, "mysql")
    if mysql.get("empty_root_password") is True:
        return {
            "database": service.product or "MySQL",
            "how": "user 'root' logged in with an empty password",
            "server_version": mysql.get("server_version", ""),
        }
    redis = _observation(service, "redis")
    if redis.get("unauthenticated") is True:
        return {
            "database": "Redis",
            "how": "INFO answered without AUTH (no requirepass, no ACL)",
            "server_version": redis.get("redis_version", ""),
        }
    memcached = _observation(service, "memcached")
    if memcached.get("unauthenticated") is True:
        return {
            "database": "memcached",
            "how": "the text protocol answered without SASL: anyone may read, write and flush the cache",
            "server_version": memcached.get("version", ""),
        }
    return None


@service_check(
    "exposure.db_no_authentication",
    title_en="Database reachable without authentication",
    title_fr="Base de données accessible sans authentification",
    severity=Severity.CRITICAL,
    remediation=(
        "Require authentication now (PostgreSQL: replace 'trust' by 'scram-sha-256' in pg_hba.conf; "
        "MySQL/MariaDB: set a strong root password and drop remote root accounts; Redis: set "
        "requirepass or ACLs and keep protected-mode on; memcached: enable SASL or bind to localhost), "
        "then remove the port from the Internet (firewall, bind to internal addresses) and look for "
        "signs of access to or tampering with the data."
    ),
)
def check_db_no_authentication(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The probe got in without any secret: PostgreSQL trust, MySQL empty root password, open Redis or memcached."""
    evidence = _no_authentication(service)
    if evidence is None:
        return []
    return [make_finding("exposure.db_no_authentication", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.db_cleartext_password",
    title_en="Database asks for a clear-text password over an unencrypted connection",
    title_fr="Base de données demandant un mot de passe en clair sur une connexion non chiffrée",
    severity=Severity.MEDIUM,
    remediation=(
        "Use 'scram-sha-256' instead of 'password' in pg_hba.conf and require TLS ('hostssl' lines) "
        "so that no password crosses the network in clear text."
    ),
)
def check_db_cleartext_password(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """PostgreSQL asked our plain (non-TLS) connection for a clear-text password."""
    observed = _observation(service, "postgresql")
    if observed.get("authentication") != "cleartext":
        return []
    evidence = {"database": "PostgreSQL", "user": observed.get("user", "postgres"), "tls": False}
    return [make_finding("exposure.db_cleartext_password", [service_object(host.address, service)], evidence)]
