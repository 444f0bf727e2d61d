"""DNS questions to the configured resolver, with every failure translated and every answer bounded.

The :class:`Asker` stops asking after :data:`MAX_TIMEOUTS` timeouts in a row, so a resolver that
stops answering costs a bounded time; the limits below bound what a hostile zone can make us keep.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import dns.dnssec
import dns.exception
import dns.flags
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset
import dns.xfr

from hygie.engines.exposure.model import printable
from hygie.engines.exposure.perimeter import PerimeterError, normalise_name

__all__ = ["MAX_TIMEOUTS", "Asker", "DnsError", "ResolverConfig", "domain_name", "resolve_addresses"]

#: DKIM selectors of the usual mail services and appliances (a heuristic: selectors cannot be listed).
DKIM_SELECTORS: tuple[str, ...] = (
    "default", "dkim", "mail", "selector1", "selector2", "google", "k1", "k2", "s1", "s2",
    "smtp", "key1", "mx", "zimbra", "mailjet", "sendinblue", "mta", "sig1",
)  # fmt: skip

#: Sub-domains a hospital often publishes (portals, remote access, mail, imaging), tried for dangling CNAMEs.
COMMON_SUBDOMAINS: tuple[str, ...] = (
    "www", "mail", "webmail", "smtp", "vpn", "sslvpn", "portail", "portal", "extranet", "intranet",
    "autodiscover", "owa", "remote", "citrix", "rdv", "dpi", "pacs", "rh", "recrutement", "espace-patient",
    "teleconsultation", "api", "blog", "dev", "test", "staging", "old", "ftp", "mta-sts", "support",
)  # fmt: skip

#: Hosting suffixes where a dangling CNAME lets anybody claim the name (subdomain takeover).
TAKEOVER_SUFFIXES: tuple[str, ...] = (
    "azurewebsites.net", "cloudapp.net", "cloudapp.azure.com", "trafficmanager.net", "blob.core.windows.net",
    "azureedge.net", "azure-api.net", "azurefd.net", "s3.amazonaws.com", "s3-website.amazonaws.com",
    "elasticbeanstalk.com", "cloudfront.net", "herokuapp.com", "herokudns.com", "github.io", "gitlab.io",
    "netlify.app", "pages.dev", "vercel.app", "myshopify.com", "wordpress.com", "ghost.io", "surge.sh",
    "bitbucket.io", "readthedocs.io", "zendesk.com", "helpscoutdocs.com", "unbouncepages.com",
)  # fmt: skip

#: Consecutive query timeouts after which the resolver is deemed gone for the rest of the collection.
MAX_TIMEOUTS = 3
# Bounds on what a hostile zone can make us keep or do: characters of a raw record, items of a list,
# hops of a CNAME chain, names followed for dangling CNAMEs, records read from one zone transfer.
MAX_TEXT = 512
MAX_LIST = 50
MAX_CNAME_HOPS = 8
MAX_CANDIDATES = 300
MAX_XFR_RECORDS = 20_000
#: Name servers answer transfers on the standard port, whatever port the configured resolver uses.
XFR_PORT = 53


class DnsError(Exception):
    """A DNS question got no usable answer (bad name, resolver unreachable, SERVFAIL...); says which."""


@dataclass(frozen=True, slots=True)
class ResolverConfig:
    """The resolver every query goes to: ``nameservers`` empty means the system's (``/etc/resolv.conf``).

    ``timeout`` bounds each query, retries included; a collection stops asking after
    :data:`MAX_TIMEOUTS` timeouts in a row, so its total time is bounded too.
    """

    nameservers: tuple[str, ...] = ()
    port: int = 53
    timeout: float = 3.0

    def __post_init__(self) -> None:
        for server in self.nameservers:
            try:
                ipaddress.ip_address(server)
            except ValueError:
                raise DnsError(f"resolver {printable(str(server), 60)!r} is not an IP address") from None
        if not 0 < self.port < 65536:  # noqa: PLR2004 - TCP/UDP port range
            raise DnsError(f"resolver port {self.port} is out of range")
        if not self.timeout > 0:
            raise DnsError("the resolver timeout must be positive")

    def build(self) -> dns.resolver.Resolver:
        """A dnspython resolver with this configuration and no cache (each audit sees the DNS afresh)."""
        try:
            resolver = dns.resolver.Resolver(configure=not self.nameservers)
        except dns.exception.DNSException as error:
            raise DnsError(f"no system resolver configured: {error}") from None
        if self.nameservers:
            resolver.nameservers = list(self.nameservers)
        resolver.port = self.port
        resolver.timeout = self.timeout
        resolver.lifetime = self.timeout
        resolver.cache = None
        return resolver


class Asker:
    """Queries through one resolver, with error translation and the timeout circuit breaker."""

    def __init__(self, config: ResolverConfig) -> None:
        self.config = config
        self.resolver = config.build()
        self.timeouts = 0

    def ask(self, name: str | dns.name.Name, rdtype: str, *, dnssec: bool = False) -> dns.resolver.Answer | None:
        """The answer (``rrset`` None for NODATA), None for NXDOMAIN; ``DnsError`` for anything else."""
        if self.timeouts >= MAX_TIMEOUTS:
            raise DnsError(f"not asked: the resolver stopped answering after {self.timeouts} timeouts")
        label = f"{printable(str(name), 120)} {rdtype}"
        try:
            qname = name if isinstance(name, dns.name.Name) else dns.name.from_text(name)
            if dnssec:
                self.resolver.use_edns(0, dns.flags.DO, 1232)
                self.resolver.flags = dns.flags.RD | dns.flags.AD
            answer = self.resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            self.timeouts = 0
            return None
        except dns.exception.Timeout:
            self.timeouts += 1
            raise DnsError(f"{label}: no answer from the resolver within {self.config.timeout:g} s") from None
        except dns.resolver.NoNameservers as error:
            raise DnsError(f"{label}: the resolver failed to answer ({printable(str(error), 300)})") from None
        except (dns.exception.DNSException, UnicodeError, ValueError) as error:
            raise DnsError(f"{label}: {printable(str(error) or type(error).__name__, 300)}") from None
        finally:
            if dnssec:
                self.resolver.use_edns(0, 0, 1232)
                self.resolver.flags = None
        self.timeouts = 0
        return answer

    def texts(self, name: str) -> list[str]:
        """The TXT records at ``name``, each one's strings joined (Latin-1: every byte survives)."""
        answer = self.ask(name, "TXT")
        if answer is None or answer.rrset is None:
            return []
        return [b"".join(rdata.strings).decode("latin-1") for rdata in answer.rrset]

    def addresses(self, name: str) -> list[str]:
        """A and AAAA addresses of ``name`` ([] when it does not exist)."""
        found: list[str] = []
        for rdtype in ("A", "AAAA"):
            answer = self.ask(name, rdtype)
            if answer is not None and answer.rrset is not None:
                found.extend(rdata.address for rdata in answer.rrset)
        return found


def resolve_addresses(name: str, resolver: ResolverConfig) -> list[str]:
    """A and AAAA addresses of ``name`` through ``resolver``; [] when it does not exist, ``DnsError`` on failure."""
    try:
        return [str(ipaddress.ip_address(name))]
    except ValueError:
        pass
    return Asker(resolver).addresses(domain_name(name))


def domain_name(value: str) -> str:
    """``value`` as a normalised domain name; ``DnsError`` when it is not one."""
    try:
        return normalise_name(value)
    except (PerimeterError, AttributeError):
        raise DnsError(f"{printable(str(value), 80)!r} is not a valid domain name") from None
