"""Live collection of an Active Directory domain over LDAPS (or StartTLS) with ldap3.

One simple bind over TLS, then paged searches of the default naming context (every object, with
its ``nTSecurityDescriptor`` read through the SD-flags control so that a non-administrator gets
owner, group and DACL), the configuration partition (forest level, dSHeuristics, PKI objects) and
the schema (attribute GUIDs). Raw attribute values are handed to
:func:`~hygie.engines.directory.ldap_entries.snapshot_from_entries`, the same normaliser as LDIF.

The password lives only in memory: it is never written, logged, put in an exception message or
shown by ``repr``. Every failure is an :class:`LdapCollectionError` whose message says what went
wrong and what to do; a snapshot is returned only when every search completed.
"""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import ldap3  # type: ignore[import-untyped]  # ldap3 ships no type information
from ldap3.core import exceptions as ldap_errors  # type: ignore[import-untyped]
from ldap3.protocol.microsoft import security_descriptor_control  # type: ignore[import-untyped]

from hygie.engines._core import NullProgress
from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.ldap_entries import snapshot_from_entries

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from hygie.engines._core import Progress
    from hygie.engines.directory.ldap_entries import Entry
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["LdapCollectionError", "LdapTarget", "collect_ldap"]

# OWNER | GROUP | DACL: the SACL needs SeSecurityPrivilege and is not used by any check.
_SD_FLAGS = 0x07
_DEFAULT_PORTS = {"ldaps": 636, "ldap": 389}
# Configuration objects the normaliser reads: the partition head (its ACL is Tier 0), forest
# level, domain controllers, dSHeuristics.
_CONFIGURATION_FILTER = (
    "(|(objectClass=configuration)(objectClass=crossRefContainer)(objectClass=nTDSDSA)(objectClass=nTDSService))"
)
# The schema head (ACL and objectVersion) and the attribute GUIDs that ACEs name.
_SCHEMA_FILTER = "(|(objectClass=attributeSchema)(objectClass=dMD))"
_SCHEMA_ATTRIBUTES = (
    "objectClass",
    "lDAPDisplayName",
    "schemaIDGUID",
    "objectVersion",
    "name",
    "objectGUID",
    "nTSecurityDescriptor",
)
_ALL_WITH_SD = ("*", "nTSecurityDescriptor")
_INSECURE_WARNING = (
    "the LDAP server's TLS certificate was not verified (--insecure): the collection may come from an impostor"
)


class LdapCollectionError(CollectionError):
    """A live collection failed; the message names the server and says what to do.

    ``reason`` tells callers what kind of failure it is: ``credentials`` and ``rights`` (the
    account), ``connection``, ``tls``, ``timeout`` (the network or the server), ``usage`` (the
    URL or options), ``protocol`` (anything else the server refused).
    """

    def __init__(self, message: str, *, reason: str = "protocol") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LdapTarget:
    """Where and how to connect; ``repr`` never shows the password."""

    url: str
    user: str
    password: str = field(repr=False)
    ca_file: Path | None = None
    verify: bool = True
    start_tls: bool = False
    timeout: int = 30

    @property
    def host(self) -> str:
        """Host name or address of the URL."""
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        """Port of the URL, or the scheme's default."""
        parts = urlsplit(self.url)
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 636)

    @property
    def where(self) -> str:
        """``host:port`` for messages."""
        return f"{self.host}:{self.port}"


def collect_ldap(
    url: str,
    *,
    base: str | None,
    user: str,
    password: str,
    ca_file: Path | None = None,
    verify: bool = True,
    start_tls: bool = False,
    page_size: int = 1000,
    timeout: int = 30,
    progress: Progress | None = None,
) -> Snapshot:
    """Collect the domain behind ``url`` (``ldaps://host[:port]``, or ``ldap://`` with ``start_tls``).

    ``base`` is the domain's naming context (read from the RootDSE when None); ``ca_file`` the
    PEM certificate(s) to trust besides the system store; ``verify=False`` accepts any
    certificate (recorded as a snapshot warning). Raises :class:`LdapCollectionError`.
    """
    target = LdapTarget(url, user, password, ca_file, verify, start_tls, timeout)
    progress = progress or NullProgress()
    _check_url(target)
    connection = _connect(target)
    try:
        entries = list(_collect(connection, target, base, page_size, progress))
    except ldap_errors.LDAPException as error:
        raise _translate(error, target) from None
    finally:
        _unbind(connection)
    snapshot = snapshot_from_entries(entries, source=f"ldap {target.where}")
    if not verify:
        snapshot = replace(snapshot, warnings=(*snapshot.warnings, _INSECURE_WARNING))
    return snapshot


def _check_url(target: LdapTarget) -> None:
    parts = urlsplit(target.url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        msg = f"{target.url!r} is not an LDAP URL; expected ldaps://HOST[:PORT] (or ldap://HOST with StartTLS)"
        raise LdapCollectionError(msg, reason="usage")
    if scheme == "ldap" and not target.start_tls:
        msg = (
            f"refusing to send a password in clear text to {target.where}: "
            "use ldaps://HOST, or ldap://HOST with StartTLS (--start-tls)"
        )
        raise LdapCollectionError(msg, reason="usage")
    if scheme == "ldaps" and target.start_tls:
        msg = "StartTLS (--start-tls) goes with an ldap:// URL; an ldaps:// URL is already encrypted"
        raise LdapCollectionError(msg, reason="usage")


def _connect(target: LdapTarget) -> ldap3.Connection:
    """An open, TLS-protected, bound connection; every failure translated."""
    try:
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if target.verify else ssl.CERT_NONE,
            ca_certs_file=str(target.ca_file) if target.ca_file is not None else None,
            version=ssl.PROTOCOL_TLS_CLIENT,
        )
    except ldap_errors.LDAPSSLConfigurationError:
        msg = f"cannot read the CA certificate file {target.ca_file}: give a readable PEM file (--ca-file)"
        raise LdapCollectionError(msg, reason="usage") from None
    server = ldap3.Server(
        target.host,
        port=target.port,
        use_ssl=not target.start_tls,
        tls=tls,
        get_info=ldap3.NONE,
        connect_timeout=target.timeout,
    )
    connection = ldap3.Connection(
        server,
        user=target.user,
        password=target.password,
        authentication=ldap3.SIMPLE,
        auto_referrals=False,
        raise_exceptions=True,
        receive_timeout=target.timeout,
        read_only=True,
    )
    try:
        connection.open()
        if target.start_tls:
            connection.start_tls()
        connection.bind()
    except ldap_errors.LDAPException as error:
        _unbind(connection)
        raise _translate(error, target) from None
    return connection


def _unbind(connection: ldap3.Connection) -> None:
    # The server may have gone away already: there is nothing left to close then.
    with contextlib.suppress(ldap_errors.LDAPException):
        connection.unbind()


def _collect(
    connection: ldap3.Connection, target: LdapTarget, base: str | None, page_size: int, progress: Progress
) -> Iterator[Entry]:
    """Every entry of the domain, configuration and schema partitions."""
    naming = _root_dse(connection, target)
    domain = base or naming.get("defaultnamingcontext")
    configuration = naming.get("configurationnamingcontext")
    schema = naming.get("schemanamingcontext")
    if not domain or not configuration or not schema:
        msg = f"{target.where} did not name its naming contexts in the RootDSE: is it an Active Directory server?"
        raise LdapCollectionError(msg)
    searches = (
        _Search("domain", domain, "(objectClass=*)", _ALL_WITH_SD),
        _Search("configuration", configuration, _CONFIGURATION_FILTER, _ALL_WITH_SD),
        _Search("certificate services", f"CN=Public Key Services,CN=Services,{configuration}", optional=True),
        _Search("schema", schema, _SCHEMA_FILTER, _SCHEMA_ATTRIBUTES),
    )
    for search in searches:
        progress.start(f"LDAP {search.label} ({search.base})")
        seen_base = False
        for entry in _paged(connection, search, page_size, progress):
            seen_base = seen_base or (entry[0].lower() == search.base.lower() and bool(entry[1].get("objectsid")))
            yield entry
        if search.label == "domain" and not seen_base:
            # AD hides what an account may not read instead of refusing: a domain object that is
            # missing, or returned without its SID, means the account lacks read rights on it.
            msg = (
                f"{target.user!r} cannot read the domain object {search.base} on {target.where}: "
                "use an account that can read the whole domain (any domain user can by default)"
            )
            raise LdapCollectionError(msg, reason="rights")


@dataclass(frozen=True, slots=True)
class _Search:
    """One paged subtree search of the collection."""

    label: str
    base: str
    filter: str = "(objectClass=*)"
    attributes: tuple[str, ...] = _ALL_WITH_SD
    #: A missing base (noSuchObject) is normal: a forest without certificate services.
    optional: bool = False


def _root_dse(connection: ldap3.Connection, target: LdapTarget) -> dict[str, str]:
    attributes = ("defaultNamingContext", "configurationNamingContext", "schemaNamingContext")
    connection.search("", "(objectClass=*)", search_scope=ldap3.BASE, attributes=list(attributes))
    found: dict[str, str] = {}
    for response in connection.response or ():
        if response.get("type") != "searchResEntry":
            continue
        for name, values in (response.get("raw_attributes") or {}).items():
            if values:
                found[name.lower()] = bytes(values[0]).decode("utf-8", errors="replace")
    if not found:
        msg = f"{target.where} returned no RootDSE: is it an Active Directory server?"
        raise LdapCollectionError(msg)
    return found


def _paged(connection: ldap3.Connection, search: _Search, page_size: int, progress: Progress) -> Iterator[Entry]:
    """One paged subtree search, as entries with lower-case attribute names and raw values.

    Every search carries the SD-flags control: nTSecurityDescriptor is only returned where asked.
    """
    controls: list[tuple[str, bool, Any]] = security_descriptor_control(sdflags=_SD_FLAGS)
    try:
        responses = connection.extend.standard.paged_search(
            search.base,
            search.filter,
            search_scope=ldap3.SUBTREE,
            attributes=list(search.attributes),
            controls=controls,
            paged_size=page_size,
            generator=True,
        )
        for response in responses:
            if response.get("type") != "searchResEntry":
                continue  # continuation references to other partitions: collected on their own
            raw = response.get("raw_attributes") or {}
            yield (
                str(response["dn"]),
                {name.lower(): [bytes(value) for value in values] for name, values in raw.items()},
            )
            progress.advance()
    except ldap_errors.LDAPNoSuchObjectResult:
        if not search.optional:
            raise


def _translate(error: ldap_errors.LDAPException, target: LdapTarget) -> LdapCollectionError:  # noqa: PLR0911 - one return per failure kind
    """A message saying what failed and what to do; never the password, never ldap3's internals."""
    where, user = target.where, target.user
    text = str(error).lower()
    if isinstance(error, ldap_errors.LDAPInvalidCredentialsResult):
        return LdapCollectionError(
            f"{where} refused the credentials of {user!r} (invalidCredentials): "
            "check the user name (user@domain or DOMAIN\\user) and the password",
            reason="credentials",
        )
    if isinstance(error, ldap_errors.LDAPInsufficientAccessRightsResult):
        return LdapCollectionError(
            f"{user!r} may not read the directory on {where} (insufficientAccessRights): "
            "use an account that can read the domain, configuration and schema partitions",
            reason="rights",
        )
    if isinstance(error, ldap_errors.LDAPStrongerAuthRequiredResult):
        return LdapCollectionError(
            f"{where} requires a protected connection for this bind: use ldaps:// or --start-tls", reason="usage"
        )
    if isinstance(error, ldap_errors.LDAPNoSuchObjectResult):
        return LdapCollectionError(
            f"{where} has no such base object (noSuchObject): check --base (a DN such as DC=example,DC=org)",
            reason="usage",
        )
    # Before the TLS test: a handshake that times out is a silent server, not a bad certificate.
    if isinstance(error, ldap_errors.LDAPResponseTimeoutError) or "timed out" in text or "timeout" in text:
        return LdapCollectionError(
            f"{where} did not answer within {target.timeout} s: check that the server is up and reachable",
            reason="timeout",
        )
    if isinstance(error, ldap_errors.LDAPCertificateError) or _is_tls_failure(text):
        return LdapCollectionError(_tls_message(target, text), reason="tls")
    if isinstance(error, ldap_errors.LDAPSocketOpenError):
        return LdapCollectionError(
            f"cannot connect to {where} ({_socket_reason(text)}): check the host name, the port "
            "and that LDAPS is enabled on the domain controller",
            reason="connection",
        )
    if isinstance(error, ldap_errors.LDAPCommunicationError):
        return LdapCollectionError(
            f"the connection to {where} was lost during the collection: try again "
            "(with a smaller page size if it recurs)",
            reason="connection",
        )
    if isinstance(error, ldap_errors.LDAPOperationResult):
        return LdapCollectionError(
            f"{where} refused the request ({error.description or type(error).__name__}): "
            "check the account's rights and --base"
        )
    return LdapCollectionError(
        f"the LDAP collection from {where} failed ({type(error).__name__}): check the server address and the account"
    )


def _is_tls_failure(text: str) -> bool:
    return any(marker in text for marker in ("certificate", "ssl", "tls", "handshake"))


def _tls_message(target: LdapTarget, text: str) -> str:
    where = target.where
    if "hostname" in text or "doesn't match" in text or "ip address mismatch" in text:
        return (
            f"the TLS certificate of {where} is not issued for {target.host!r}: "
            "connect with the name the certificate carries"
        )
    if "verify failed" in text or "self-signed" in text or "self signed" in text or "unable to get" in text:
        hint = (
            "pass the CA certificate with --ca-file"
            if target.ca_file is None
            else f"{target.ca_file} does not vouch for it"
        )
        return f"the TLS certificate of {where} is not trusted: {hint} (--insecure skips the check, at your own risk)"
    return f"the TLS handshake with {where} failed: check that the port speaks TLS (636 for ldaps://) and the CA file"


def _socket_reason(text: str) -> str:
    if "refused" in text:
        return "connection refused"
    if (
        "invalid server address" in text
        or "name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo" in text
    ):
        return "unknown host name"
    if "unreachable" in text:
        return "network unreachable"
    return "no connection"
