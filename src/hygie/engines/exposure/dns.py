"""What the DNS says of a declared domain: e-mail protections, DNSSEC, CAA, zone transfer, dangling names.

:func:`collect_domain` fills a :class:`~hygie.engines.exposure.model.DomainReport` that the checks of
``checks/dns.py`` judge. Every query goes to the configured resolver; the only other packets are
zone transfer attempts to the domain's name servers, and only to the addresses the perimeter
approves (``may_connect``). Nothing is fetched over HTTPS: MTA-STS is judged on its TXT record.

Everything a record says is bounded before it is kept: raw texts are cut and escaped
(:func:`~hygie.engines.exposure.model.printable`), lists capped, SPF includes followed to a depth and
a count, CNAME chains to a number of hops, zone transfers to a number of records. A resolver that
stops answering costs at most a few timeouts: after :data:`MAX_TIMEOUTS` the remaining queries fail
at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

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

from hygie.engines.exposure.dns_mail import dkim_record, dmarc_record, mta_sts_record, mx_hosts, spf_record
from hygie.engines.exposure.dns_query import (
    COMMON_SUBDOMAINS,
    DKIM_SELECTORS,
    MAX_CANDIDATES,
    MAX_CNAME_HOPS,
    MAX_LIST,
    MAX_TIMEOUTS,
    MAX_XFR_RECORDS,
    TAKEOVER_SUFFIXES,
    XFR_PORT,
    Asker,
    DnsError,
    ResolverConfig,
    domain_name,
    resolve_addresses,
)
from hygie.engines.exposure.model import DomainReport, printable

__all__ = [
    "COMMON_SUBDOMAINS",
    "DKIM_SELECTORS",
    "MAX_TIMEOUTS",
    "TAKEOVER_SUFFIXES",
    "DnsError",
    "ResolverConfig",
    "collect_domain",
    "resolve_addresses",
]


def collect_domain(
    domain: str,
    resolver: ResolverConfig,
    *,
    may_connect: Callable[[str], bool],
    names: Sequence[str] = (),
    selectors: Sequence[str] = DKIM_SELECTORS,
) -> DomainReport:
    """Observe ``domain``'s DNS for the checks: one entry of ``records`` per check key, failures in ``errors``.

    ``may_connect(address)`` is the perimeter's verdict on a name server address; only approved
    ones are asked for a zone transfer. ``names`` are more host names (or labels under ``domain``)
    to follow for dangling CNAMEs. Raises ``DnsError`` when ``domain`` is not a valid name, does not
    exist, or the resolver does not answer at all.
    """
    name = domain_name(domain)
    asker = Asker(resolver)
    zone = _zone_of(asker, name)
    report = DomainReport(domain=name)
    report.records["zone"] = zone

    def gather(key: str, collect: Callable[[], Any]) -> Any:
        try:
            report.records[key] = collect()
        except DnsError as error:
            report.errors[key] = str(error)
        return report.records.get(key)

    mx = gather("mx", lambda: mx_hosts(asker, name))
    sends_mail = None if mx is None else bool(mx["hosts"])
    gather("spf", lambda: spf_record(asker, name, sends_mail=sends_mail))
    gather("dmarc", lambda: dmarc_record(asker, name))
    gather("dkim", lambda: dkim_record(asker, name, selectors))
    gather("mta_sts", lambda: mta_sts_record(asker, name))
    gather("dnssec", lambda: _dnssec(asker, zone))
    gather("caa", lambda: _caa(asker, name))
    ns = gather("ns", lambda: _name_servers(asker, zone))
    axfr = gather("axfr", lambda: _transfers(zone, ns["servers"] if ns else [], may_connect, resolver.timeout))
    learnt = axfr["learnt_names"] if axfr else []
    gather("cnames", lambda: _cnames(asker, name, [*names, *learnt]))
    return report


def _zone_of(asker: Asker, name: str) -> str:
    """The apex of the zone holding ``name`` (from the SOA); ``DnsError`` when it does not exist."""
    answer = asker.ask(name, "SOA")
    if answer is None:
        raise DnsError(f"{name} does not exist (NXDOMAIN)")
    if answer.rrset is not None:
        return answer.rrset.name.to_text(omit_final_dot=True).lower()
    for rrset in answer.response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return str(rrset.name.to_text(omit_final_dot=True).lower())
    return name


def _rrsig(answer: dns.resolver.Answer, covered: dns.rdatatype.RdataType) -> dns.rrset.RRset | None:
    for rrset in answer.response.answer:
        if rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers == covered:
            return rrset
    return None


def _validate(rrset: dns.rrset.RRset, rrsig: dns.rrset.RRset | None, keys: dns.rrset.RRset) -> str:
    """``valid``, ``missing``, ``unverified`` (no crypto backend) or ``invalid: why``."""
    if rrsig is None:
        return "missing"
    try:
        dns.dnssec.validate(rrset, rrsig, {keys.name: keys})
    except ImportError:
        return "unverified"
    except dns.exception.ValidationFailure as error:
        now = time.time()
        if all(sig.expiration < now for sig in rrsig):
            expired = max(sig.expiration for sig in rrsig)
            return f"invalid: signatures expired on {datetime.fromtimestamp(expired, UTC).date().isoformat()}"
        return f"invalid: {printable(str(error), 200)}"
    except (dns.exception.DNSException, ValueError) as error:
        return f"invalid: {printable(str(error) or type(error).__name__, 200)}"
    return "valid"


def _dnssec(asker: Asker, zone: str) -> dict[str, Any]:
    """DNSKEY, its signature and the SOA's, checked with the zone's own keys; the DS at the parent."""
    keys_answer = asker.ask(zone, "DNSKEY", dnssec=True)
    keys = keys_answer.rrset if keys_answer is not None else None
    result: dict[str, Any] = {
        "zone": zone,
        "dnskey": keys is not None,
        "ad_flag": bool(keys_answer is not None and keys_answer.response.flags & dns.flags.AD),
    }
    if keys_answer is None or keys is None:
        return result | {"enabled": False, "signatures": {}, "ds": _ds(asker, zone, None)}
    result["keys"] = [
        {
            "flags": key.flags,
            "algorithm": dns.dnssec.algorithm_to_text(key.algorithm),
            "key_tag": dns.dnssec.key_id(key),
        }
        for key in list(keys)[:MAX_LIST]
    ]
    signatures = {"dnskey": _validate(keys, _rrsig(keys_answer, dns.rdatatype.DNSKEY), keys)}
    soa_answer = asker.ask(zone, "SOA", dnssec=True)
    if soa_answer is not None and soa_answer.rrset is not None:
        signatures["soa"] = _validate(soa_answer.rrset, _rrsig(soa_answer, dns.rdatatype.SOA), keys)
    result["signatures"] = signatures
    result["enabled"] = True
    result["valid"] = all(status in {"valid", "unverified"} for status in signatures.values())
    result["ds"] = _ds(asker, zone, keys)
    return result


def _ds(asker: Asker, zone: str, keys: dns.rrset.RRset | None) -> dict[str, Any]:
    """Whether the parent publishes a DS for ``zone`` and whether one matches a published key."""
    if "." not in zone:
        return {"present": None, "note": "a top-level domain: no parent asked"}
    try:
        answer = asker.ask(zone, "DS")
    except DnsError as error:
        return {"present": None, "error": str(error)}
    if answer is None or answer.rrset is None:
        return {"present": False}
    matches = False
    for ds in answer.rrset:
        for key in keys or ():
            try:
                matches = matches or dns.dnssec.make_ds(zone + ".", key, ds.digest_type) == ds
            except (dns.exception.DNSException, ValueError, ImportError):
                continue
    return {"present": True, "count": len(answer.rrset), "matches_key": matches}


def _caa(asker: Asker, name: str) -> dict[str, Any]:
    """CAA records of ``name`` or, per RFC 8659, of its closest parent that has some (the TLD excluded)."""
    labels = name.split(".")
    for start in range(max(len(labels) - 1, 1)):
        owner = ".".join(labels[start:])
        answer = asker.ask(owner, "CAA")
        if answer is not None and answer.rrset is not None:
            records = [
                {"flags": r.flags, "tag": printable(r.tag, 40), "value": printable(r.value, 200)}
                for r in list(answer.rrset)[:MAX_LIST]
            ]
            return {"records": records, "found_at": owner, "inherited": owner != name}
    return {"records": [], "found_at": None, "inherited": False}


def _name_servers(asker: Asker, zone: str) -> dict[str, Any]:
    """The zone's NS names with their addresses."""
    answer = asker.ask(zone, "NS")
    servers = []
    if answer is not None and answer.rrset is not None:
        for rdata in list(answer.rrset)[:MAX_LIST]:
            host = rdata.target.to_text(omit_final_dot=True).lower()
            try:
                servers.append({"name": host, "addresses": asker.addresses(host)})
            except DnsError as error:
                servers.append({"name": host, "addresses": [], "error": str(error)})
    return {"zone": zone, "servers": servers}


def _transfers(
    zone: str, servers: list[dict[str, Any]], may_connect: Callable[[str], bool], timeout: float
) -> dict[str, Any]:
    """A zone transfer attempt at each perimeter-approved name server address; the names an open one gave."""
    attempts: list[dict[str, Any]] = []
    learnt: set[str] = set()
    addresses = dict.fromkeys(address for server in servers for address in server["addresses"])
    for address in addresses:
        if not may_connect(address):
            reason = f"not attempted: {address} outside the perimeter"
            attempts.append({"address": address, "status": "not attempted", "reason": reason})
            continue
        attempts.append(_transfer(zone, address, timeout, learnt))
    return {
        "zone": zone,
        "attempts": attempts,
        "open": any(a["status"] == "open" for a in attempts),
        "learnt_names": sorted(learnt)[:MAX_CANDIDATES],
    }


def _transfer(zone: str, address: str, timeout: float, learnt: set[str]) -> dict[str, Any]:
    """One AXFR of ``zone`` from ``address``, stopped after :data:`MAX_XFR_RECORDS` records."""
    count = 0
    truncated = False
    try:
        messages = dns.query.xfr(address, zone, port=XFR_PORT, timeout=timeout, lifetime=timeout * 5, relativize=False)
        for message in messages:
            for rrset in message.answer:
                count += len(rrset)
                owner = rrset.name.to_text(omit_final_dot=True).lower()
                if len(learnt) < MAX_CANDIDATES and not owner.startswith(("*", "_")):
                    learnt.add(owner)
            if count > MAX_XFR_RECORDS:
                truncated = True
                break
    except dns.xfr.TransferError as error:
        return {"address": address, "status": "refused", "rcode": dns.rcode.to_text(error.rcode)}
    except dns.exception.Timeout:
        return {"address": address, "status": "error", "error": f"no transfer within {timeout * 5:g} s"}
    except (dns.exception.DNSException, OSError, ValueError) as error:
        return {"address": address, "status": "error", "error": printable(str(error) or type(error).__name__, 200)}
    if count == 0:
        return {"address": address, "status": "refused", "rcode": "empty transfer"}
    return {"address": address, "status": "open", "records": count, "truncated": truncated}


def _cnames(asker: Asker, domain: str, extra: Sequence[str]) -> dict[str, Any]:
    """The CNAME chain of every candidate name, and whether its end is NXDOMAIN (dangling)."""
    candidates: dict[str, None] = {}
    for item in [*extra, *COMMON_SUBDOMAINS]:
        text = str(item).strip().rstrip(".").lower()
        full = text if "." in text else f"{text}.{domain}"
        if text and len(candidates) < MAX_CANDIDATES:
            candidates[full] = None
    chains = []
    failures = []
    for name in candidates:
        try:
            chain = _chain(asker, name)
        except DnsError as error:
            failures.append(str(error))
            continue
        if chain is not None:
            chains.append(chain)
    return {"checked": len(candidates), "chains": chains, "failures": failures[:MAX_LIST]}


def _chain(asker: Asker, name: str) -> dict[str, Any] | None:
    """``name``'s CNAME chain (None when it is no alias): hops, final target, dangling, provider suffix."""
    hops: list[str] = []
    current = name
    status = "resolves"
    try:
        while True:
            answer = asker.ask(current, "CNAME")
            if answer is None:
                status = "dangling"
                break
            if answer.rrset is None:
                break
            target = answer.rrset[0].target.to_text(omit_final_dot=True).lower()
            if target in hops or target == name or len(hops) >= MAX_CNAME_HOPS:
                status = "loop"
                break
            hops.append(target)
            current = target
    except DnsError as error:
        if not hops:
            raise
        status = f"unresolved: {error}"
    if not hops:
        return None
    provider = next((s for hop in hops for s in TAKEOVER_SUFFIXES if hop == s or hop.endswith("." + s)), None)
    return {
        "name": name,
        "chain": [printable(hop, 255) for hop in hops],
        "final": printable(hops[-1], 255),
        "status": status,
        "dangling": status == "dangling",
        "provider": provider,
    }


# E-mail: MX, SPF (RFC 7208), DMARC (RFC 7489), DKIM (RFC 6376), MTA-STS (RFC 8461), TLS-RPT (RFC 8460).

#: SPF terms that cost a DNS look-up (RFC 7208 section 4.6.4); more than 10 is a permanent error.
