"""The declared perimeter: the only targets the exposure engine may ever connect to.

An administrator of the node declares IP ranges, host names and DNS domains, with exclusions, who
authorised the audit and until when. Every target goes through :meth:`Perimeter.decide` before any
packet leaves: a refusal always says why.

Rules, strictest first:

- nothing is allowed once the authorisation has expired;
- an excluded address is never allowed, whatever else matches it;
- an address (or a range) is allowed when it lies inside a declared range;
- a name is allowed when it is declared exactly, or lies under a declared domain, **and** every
  address it resolves to is allowed. A name declared exactly pins the authorisation to that name,
  so its addresses may lie outside the declared ranges (a portal hosted by a provider); a name
  matched only through its domain must resolve inside the declared ranges, because a dangling or
  hijacked record under the hospital's domain may point at somebody else's machine.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Decision", "Network", "Perimeter", "PerimeterError", "allowed", "normalise_name", "refused"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 1123 labels (letters, digits, hyphens, not at either end), after IDNA encoding.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class PerimeterError(ValueError):
    """A perimeter entry that is neither an address, a range, a host name nor a domain."""


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a target may be scanned, why, and the addresses that were judged."""

    allowed: bool
    reason: str
    addresses: tuple[str, ...] = ()


def allowed(reason: str, addresses: tuple[str, ...] = ()) -> Decision:
    """A decision that lets the target be scanned."""
    return Decision(allowed=True, reason=reason, addresses=addresses)


def refused(reason: str, addresses: tuple[str, ...] = ()) -> Decision:
    """A decision that forbids any connection to the target, saying why."""
    return Decision(allowed=False, reason=reason, addresses=addresses)


def normalise_name(value: str) -> str:
    """``value`` as a lower-case ASCII (IDNA) host name without trailing dot; ``PerimeterError`` if invalid."""
    name = value.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise PerimeterError(f"{value!r} is not a valid host name") from error
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels):  # noqa: PLR2004 - RFC 1035 limit
        raise PerimeterError(f"{value!r} is not a valid host name")
    return name


def _network(value: str) -> Network | None:
    """``value`` as a network (a single address becomes /32 or /128), None when it is not one."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Perimeter:
    """Declared ranges, names and domains, exclusions, and the authorisation that bounds them in time."""

    networks: tuple[Network, ...]
    hostnames: frozenset[str]
    domains: frozenset[str]
    excluded: tuple[Network, ...]
    excluded_names: frozenset[str]
    authorised_by: str
    valid_until: datetime

    @classmethod
    def parse(
        cls,
        entries: Iterable[str],
        *,
        exclusions: Iterable[str] = (),
        authorised_by: str,
        valid_until: datetime,
    ) -> Perimeter:
        """Build a perimeter from text entries: ``192.0.2.0/24``, ``vpn.chu.fr``, ``*.chu.fr`` (a domain).

        Raises ``PerimeterError`` naming the first bad entry; the authorisation must name somebody.
        """
        if not authorised_by.strip():
            raise PerimeterError("the perimeter must say who authorised the audit")
        if valid_until.tzinfo is None:
            raise PerimeterError("the end of the authorisation must carry a time zone")
        networks, hostnames, domains = _classify(entries)
        excluded, excluded_names, excluded_domains = _classify(exclusions)
        if excluded_domains:
            raise PerimeterError("exclusions take addresses, ranges and host names, not whole domains")
        if not (networks or hostnames or domains):
            raise PerimeterError("the perimeter is empty")
        return cls(
            networks=tuple(networks),
            hostnames=frozenset(hostnames),
            domains=frozenset(domains),
            excluded=tuple(excluded),
            excluded_names=frozenset(excluded_names),
            authorised_by=authorised_by.strip(),
            valid_until=valid_until,
        )

    def decide(self, target: str, *, resolve: Callable[[str], Sequence[str]], now: datetime) -> Decision:
        """May ``target`` (address, range or name) be scanned at ``now``? ``resolve`` gives a name's addresses."""
        if now >= self.valid_until:
            until = f"{self.valid_until:%Y-%m-%d %H:%M %Z}"
            return refused(f"the authorisation by {self.authorised_by} ended on {until}")
        network = _network(target)
        if network is not None:
            return self._decide_range(network)
        try:
            name = normalise_name(target)
        except PerimeterError as error:
            return refused(str(error))
        return self._decide_name(name, resolve)

    def _decide_name(self, name: str, resolve: Callable[[str], Sequence[str]]) -> Decision:
        """A declared name whose every address may be scanned."""
        if name in self.excluded_names:
            return refused(f"{name} is excluded from the perimeter")
        pinned = name in self.hostnames
        if not pinned and not any(name == domain or name.endswith("." + domain) for domain in self.domains):
            return refused(f"{name} is neither a declared host name nor under a declared domain")
        try:
            addresses = tuple(dict.fromkeys(resolve(name)))
        except OSError as error:
            return refused(f"{name} could not be resolved: {error}")
        if not addresses:
            return refused(f"{name} does not resolve to any address")
        for text in addresses:
            refusal = self._refuse_address(text, pinned=pinned)
            if refusal:
                return refused(f"{name} resolves to {text}, {refusal}", addresses)
        return allowed(f"{name} is declared in the perimeter", addresses)

    def _decide_range(self, network: Network) -> Decision:
        """A range is allowed when a declared range holds it all and no exclusion falls inside it."""
        for excluded in self.excluded:
            if excluded.version == network.version and excluded.overlaps(network):
                return refused(f"{network} overlaps the exclusion {excluded}")
        for declared in self.networks:
            if declared.version == network.version and network.subnet_of(declared):  # type: ignore[arg-type]
                return allowed(f"{network} lies inside the declared range {declared}", (str(network),))
        return refused(f"{network} is outside every declared range")

    def _refuse_address(self, text: str, *, pinned: bool) -> str:
        """Why the resolved address ``text`` may not be scanned, or '' when it may."""
        try:
            address: Address = ipaddress.ip_address(text)
        except ValueError:
            return "which is not an IP address"
        if any(address in excluded for excluded in self.excluded):
            return "which is excluded from the perimeter"
        if pinned or any(address in declared for declared in self.networks):
            return ""
        return "outside every declared range (only names declared one by one may resolve elsewhere)"


def _classify(entries: Iterable[str]) -> tuple[list[Network], list[str], list[str]]:
    """Split text entries into ranges, exact host names and domains (``*.`` or leading dot)."""
    networks: list[Network] = []
    hostnames: list[str] = []
    domains: list[str] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        network = _network(entry)
        if network is not None:
            networks.append(network)
        elif entry.startswith(("*.", ".")):
            domains.append(normalise_name(entry.lstrip("*.")))
        elif "/" in entry:
            raise PerimeterError(f"{entry!r} is not a valid address range")
        else:
            hostnames.append(normalise_name(entry))
    return networks, hostnames, domains
