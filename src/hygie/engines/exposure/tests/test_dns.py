"""DNS and e-mail observations (``dns.py``) and their checks (``checks/dns.py``), against the lab's BIND.

Given the lab zones (``lab_dns.py``: a weak hospital domain, a strong group domain, edge cases,
expired signatures, hostile records), when a domain is collected and judged, then every planted
weakness gives its finding, the strong domain gives none, nothing is sent outside the perimeter,
and bad input or a broken resolver gives a clear ``DnsError`` quickly.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Self

import dns.message
import dns.rrset
import pytest

import hygie.engines.exposure.checks  # noqa: F401 - registers the checks
from hygie.engines._core import Finding, Severity
from hygie.engines.exposure.dns import DnsError, ResolverConfig, collect_domain, resolve_addresses
from hygie.engines.exposure.dns_mail import parse_spf, parse_tags
from hygie.engines.exposure.model import DomainReport
from hygie.engines.exposure.registry import CHECKS, KINDS, CheckKind, JudgeContext
from hygie.engines.exposure.tests.lab_dns import DnsLab
from hygie.engines.exposure.tests.netlab import NetLab

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DNS_CHECKS = [
    spec
    for spec in CHECKS
    if KINDS[spec.check_id] is CheckKind.DOMAIN and spec.check_id.startswith(("exposure.dns_", "exposure.mail_"))
]


def judge(report: DomainReport) -> dict[str, list[Finding]]:
    """Findings of every DNS and e-mail check on ``report``, by check id."""
    found: dict[str, list[Finding]] = {}
    for spec in DNS_CHECKS:
        for finding in spec.implementation(report, JudgeContext(now=NOW)):  # type: ignore[call-arg,arg-type]
            found.setdefault(finding.check_id, []).append(finding)
    return found


@pytest.fixture(scope="module")
def collect(dns_lab: DnsLab) -> Callable[[str], DomainReport]:
    """Collect a lab domain once per module, zone transfers allowed to the lab name server only."""
    cache: dict[str, DomainReport] = {}

    def run(domain: str) -> DomainReport:
        if domain not in cache:
            cache[domain] = collect_domain(domain, dns_lab.resolver, may_connect=lambda a: a == dns_lab.address)
        return cache[domain]

    return run


def nowhere(address: str) -> bool:
    """A perimeter that approves no address."""
    return False


def silence(query: dns.message.Message, index: int) -> bytes | None:
    """A resolver that never answers."""
    return None


def garbage(query: dns.message.Message, index: int) -> bytes | None:
    """A resolver that answers binary garbage."""
    return b"\x00\xff" * 700


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


class TestParsing:
    """Record parsing needs no network."""

    def test_spf_terms(self) -> None:
        """Qualifiers, look-up terms and modifiers are read as RFC 7208 defines them."""
        parsed = parse_spf("v=spf1 ip4:192.0.2.0/24 a/24 mx:mail.example include:_spf.example ?all redirect=x.example")
        assert "?" == parsed["all"]
        assert 4 == parsed["local_lookups"]  # a, mx, include, redirect
        assert {"redirect": "x.example"} == parsed["modifiers"]
        assert ["_spf.example", "x.example"] == sorted(parsed["targets"])
        assert "a" == parsed["mechanisms"][1]["mechanism"]

    def test_spf_without_all(self) -> None:
        """A record with no ``all`` says so (None), which the permissive check judges."""
        assert parse_spf("v=spf1 ip4:192.0.2.1")["all"] is None

    def test_tags(self) -> None:
        """Tags are trimmed and lower-cased; the first occurrence wins; junk parts are skipped."""
        assert {"v": "DMARC1", "p": "reject", "pct": "50"} == parse_tags("v=DMARC1; P = reject;p=none; junk; pct=50;")

    def test_resolver_config_rejects_names(self) -> None:
        """A resolver must be an address: a name would need a resolver to find the resolver."""
        with pytest.raises(DnsError, match="not an IP address"):
            ResolverConfig(nameservers=("dns.example",))
        with pytest.raises(DnsError, match="positive"):
            ResolverConfig(nameservers=("192.0.2.1",), timeout=0)

    @pytest.mark.parametrize("domain", ["", "exa mple.fr", "-bad-.fr", "a" * 300 + ".fr", "chu..fr", "\x00.fr"])
    def test_invalid_domain(self, domain: str) -> None:
        """An invalid domain is refused before any query (the resolver here does not exist)."""
        with pytest.raises(DnsError, match="not a valid domain name"):
            collect_domain(domain, ResolverConfig(nameservers=("192.0.2.1",)), may_connect=nowhere)


class TestSilentAndBrokenResolvers:
    """A resolver that refuses, never answers, answers garbage or stops answering costs bounded time."""

    def test_nothing_listening(self) -> None:
        """Nothing on the resolver's port: ``DnsError`` within the timeout."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DnsError, match="resolver"):
            resolve_addresses("www.chu-lab.test", ResolverConfig(nameservers=("127.0.0.1",), port=port, timeout=0.5))
        assert time.monotonic() - started < 1.5

    def test_silent_resolver(self) -> None:
        """A resolver that never answers: ``DnsError`` naming the timeout, after about ``timeout``."""
        with UdpServer(silence) as server:
            started = time.monotonic()
            with pytest.raises(DnsError, match=r"no answer from the resolver within 0.3 s"):
                collect_domain("chu-lab.test", server.config(0.3), may_connect=nowhere)
            assert time.monotonic() - started < 1.5

    def test_garbage_answers(self) -> None:
        """Binary garbage in reply to every query: ``DnsError``, bounded by the timeout."""
        with UdpServer(garbage) as server:
            started = time.monotonic()
            with pytest.raises(DnsError):
                collect_domain("chu-lab.test", server.config(0.3), may_connect=nowhere)
            assert time.monotonic() - started < 1.5

    def test_resolver_stops_answering(self) -> None:
        """A resolver that answers the first query then goes silent: the collection ends after a few timeouts."""

        def first_only(query: dns.message.Message, index: int) -> bytes | None:
            if index > 0:
                return None
            response = dns.message.make_response(query)
            response.answer.append(
                dns.rrset.from_text("chu-lab.test.", 300, "IN", "SOA", "ns1.chu-lab.test. h.chu-lab.test. 1 2 3 4 5")
            )
            return response.to_wire()

        with UdpServer(first_only) as server:
            started = time.monotonic()
            report = collect_domain("chu-lab.test", server.config(0.2), may_connect=nowhere)
            elapsed = time.monotonic() - started
        assert elapsed < 2.0
        assert {"mx", "spf", "dmarc", "dkim", "mta_sts", "dnssec", "caa", "ns"} <= set(report.errors)
        assert "stopped answering" in report.errors["caa"]
        assert {} == judge(report)  # a failed query is never a missing record


@pytest.mark.lab
class TestWeakDomain:
    """``chu-lab.test``: every planted weakness gives its finding."""

    def test_findings(self, collect: Callable[[str], DomainReport]) -> None:
        """SPF ~all, DMARC p=none, no DKIM, MTA-STS, DNSSEC nor CAA, open transfer, dangling CNAMEs."""
        found = judge(collect("chu-lab.test"))
        assert {
            "exposure.mail_spf_softfail",
            "exposure.mail_dmarc_monitor_only",
            "exposure.mail_dkim_missing",
            "exposure.mail_mta_sts_missing",
            "exposure.dns_dnssec_missing",
            "exposure.dns_caa_missing",
            "exposure.dns_zone_transfer",
            "exposure.dns_dangling_cname",
        } == set(found)
        assert Severity.LOW == found["exposure.mail_spf_softfail"][0].severity
        assert Severity.MEDIUM == found["exposure.mail_dmarc_monitor_only"][0].severity
        assert Severity.HIGH == found["exposure.dns_zone_transfer"][0].severity
        assert "heuristic" in found["exposure.mail_dkim_missing"][0].remediation

    def test_dangling_cnames(self, collect: Callable[[str], DomainReport]) -> None:
        """A dangling CNAME at a takeover-prone provider is critical, elsewhere high; live aliases are not flagged."""
        found = judge(collect("chu-lab.test"))
        severities = {f.evidence["name"]: f.severity for f in found["exposure.dns_dangling_cname"]}
        assert {
            "ancien-portail.chu-lab.test": Severity.CRITICAL,
            "vieux-pacs.chu-lab.test": Severity.HIGH,  # learnt from the open zone transfer only
        } == severities
        chains = {c["name"]: c for c in collect("chu-lab.test").records["cnames"]["chains"]}
        assert "azurewebsites.net" == chains["ancien-portail.chu-lab.test"]["provider"]
        assert "resolves" == chains["extranet.chu-lab.test"]["status"]
        assert ["mail.chu-lab.test"] == chains["webmail.chu-lab.test"]["chain"]

    def test_records(self, collect: Callable[[str], DomainReport], dns_lab: DnsLab) -> None:
        """The observations say what was seen: SPF terms, DMARC tags, MX, NS and the transfer."""
        records = collect("chu-lab.test").records
        spf = records["spf"]["records"][0]
        assert ("~", 1, False) == (spf["all"], spf["lookups"], records["spf"]["multiple"])
        assert ("none", "mailto:dmarc@chu-lab.test") == (records["dmarc"]["p"], records["dmarc"]["rua"])
        assert ["mail.chu-lab.test"] == [h["host"] for h in records["mx"]["hosts"]]
        assert [{"name": "ns1.chu-lab.test", "addresses": [dns_lab.address]}] == records["ns"]["servers"]
        attempt = records["axfr"]["attempts"][0]
        assert ("open", dns_lab.address) == (attempt["status"], attempt["address"])
        assert attempt["records"] > 10
        assert "vieux-pacs.chu-lab.test" in records["axfr"]["learnt_names"]
        assert records["mta_sts"]["policy_checked"] is False
        assert {} == collect("chu-lab.test").errors


@pytest.mark.lab
class TestStrongDomain:
    """``ght-lab.test``: nothing to report, and the observations show why."""

    def test_no_findings(self, collect: Callable[[str], DomainReport]) -> None:
        """SPF -all, DMARC p=reject, DKIM, MTA-STS, DNSSEC with DS, CAA, transfer refused, no dangling name."""
        assert {} == judge(collect("ght-lab.test"))

    def test_records(self, collect: Callable[[str], DomainReport]) -> None:
        """DKIM key size, DNSSEC validation with the zone's own keys, the DS at the parent, CAA, refused AXFR."""
        records = collect("ght-lab.test").records
        assert [{"selector": "selector1", "key_type": "rsa", "key_bits": 2048, "revoked": False}] == records["dkim"][
            "found"
        ]
        assert {"dnskey": "valid", "soa": "valid"} == records["dnssec"]["signatures"]
        assert {"present": True, "count": 1, "matches_key": True} == records["dnssec"]["ds"]
        assert {"issue", "iodef"} == {r["tag"] for r in records["caa"]["records"]}
        assert ["refused"] == [a["status"] for a in records["axfr"]["attempts"]]
        assert ("20260101T000000", True) == (records["mta_sts"]["id"], records["mta_sts"]["tls_rpt"]["present"])

    def test_caa_inherited(self, collect: Callable[[str], DomainReport]) -> None:
        """A sub-domain inherits its parent's CAA (RFC 8659 tree climbing) and its zone's DNSSEC."""
        report = collect("services.ght-lab.test")
        assert ("ght-lab.test", True) == (report.records["caa"]["found_at"], report.records["caa"]["inherited"])
        assert "ght-lab.test" == report.records["zone"]
        found = judge(report)
        assert "exposure.dns_caa_missing" not in found
        assert "exposure.dns_dnssec_missing" not in found


@pytest.mark.lab
class TestEdgeCases:
    """``clinique-lab.test`` (no MX, two SPF records, too many look-ups, weak DMARC tags) and ``perime-lab.test``."""

    def test_spf_and_dmarc(self, collect: Callable[[str], DomainReport]) -> None:
        """Several SPF records, +all, 12 look-ups, pct=25 and sp=none each give their finding."""
        found = judge(collect("clinique-lab.test"))
        assert {
            "exposure.mail_spf_multiple",
            "exposure.mail_spf_permissive",
            "exposure.mail_spf_too_many_lookups",
            "exposure.mail_dmarc_partial",
            "exposure.mail_dmarc_subdomain_weaker",
            "exposure.dns_dnssec_missing",
            "exposure.dns_caa_missing",
        } == set(found)
        assert Severity.HIGH == found["exposure.mail_spf_permissive"][0].severity
        assert 12 == found["exposure.mail_spf_too_many_lookups"][0].evidence["lookups"]

    def test_no_mx_says_no_mail(self, collect: Callable[[str], DomainReport]) -> None:
        """A domain without MX still gets SPF and DMARC judged, with the non-sending remediation."""
        found = judge(collect("perime-lab.test"))
        for check_id in ("exposure.mail_spf_missing", "exposure.mail_dmarc_missing"):
            assert found[check_id][0].evidence["sends_mail"] is False
            assert "v=spf1 -all" in found[check_id][0].remediation
        assert "exposure.mail_mta_sts_missing" not in found

    def test_expired_signatures(self, collect: Callable[[str], DomainReport]) -> None:
        """Signatures that expired in 2020 are invalid (high), and DNSSEC is not reported as missing."""
        found = judge(collect("perime-lab.test"))
        assert Severity.HIGH == found["exposure.dns_dnssec_invalid"][0].severity
        assert "exposure.dns_dnssec_missing" not in found
        signatures = collect("perime-lab.test").records["dnssec"]["signatures"]
        assert "invalid: signatures expired on 2020-02-01" == signatures["dnskey"]


@pytest.mark.lab
class TestPerimeter:
    """No zone transfer outside the perimeter: nothing is even sent."""

    def test_transfer_not_attempted(self, dns_lab: DnsLab, netlab: NetLab) -> None:
        """With ``may_connect`` refusing, the report says why and the server received no AXFR nor any TCP segment."""
        transfers = dns_lab.axfr_queries()
        segments = netlab.tcp_segments_received()
        report = collect_domain(
            "chu-lab.test", dns_lab.resolver, may_connect=nowhere, names=["ancien-portail", "absent"]
        )
        assert segments == netlab.tcp_segments_received()
        assert transfers == dns_lab.axfr_queries()
        attempt = report.records["axfr"]["attempts"][0]
        assert f"not attempted: {dns_lab.address} outside the perimeter" == attempt["reason"]
        # Without the transfer only the given and usual names are followed.
        names = {c["name"] for c in report.records["cnames"]["chains"] if c["dangling"]}
        assert {"ancien-portail.chu-lab.test"} == names

    def test_transfer_attempted_inside(self, dns_lab: DnsLab) -> None:
        """Allowed, the transfer does reach the server (the log proof above can see one)."""
        transfers = dns_lab.axfr_queries()
        collect_domain("chu-lab.test", dns_lab.resolver, may_connect=lambda a: a == dns_lab.address, selectors=())
        assert transfers + 1 == dns_lab.axfr_queries()


@pytest.mark.lab
class TestLookups:
    """Addresses and missing names through the lab resolver."""

    def test_resolve_addresses(self, dns_lab: DnsLab) -> None:
        """A and AAAA of a name; [] when it does not exist; an address is returned as is."""
        assert [f"{dns_lab.subnet_prefix}.10"] == resolve_addresses("www.chu-lab.test", dns_lab.resolver)
        assert [] == resolve_addresses("absent.chu-lab.test", dns_lab.resolver)
        assert ["192.0.2.7"] == resolve_addresses("192.0.2.7", dns_lab.resolver)

    def test_missing_domain(self, dns_lab: DnsLab) -> None:
        """A domain that does not exist is a ``DnsError``, not an empty report."""
        with pytest.raises(DnsError, match="does not exist"):
            collect_domain("absent.chu-lab.test", dns_lab.resolver, may_connect=nowhere)

    def test_refused_domain(self, dns_lab: DnsLab) -> None:
        """A domain the resolver refuses to answer for is a ``DnsError`` saying so."""
        with pytest.raises(DnsError, match="REFUSED"):
            collect_domain("chu.example", dns_lab.resolver, may_connect=nowhere)


@pytest.mark.lab
class TestHostileRecords:
    """``hostile-lab.test``: huge, binary and many-string records, loops: bounded, escaped, judged."""

    def test_bounded_and_printable(self, collect: Callable[[str], DomainReport]) -> None:
        """Every kept string is printable ASCII and short; the report is JSON; the checks run."""
        report = collect("hostile-lab.test")
        for text in strings(report.to_dict()):
            assert text.isascii()
            assert text.isprintable()
            assert len(text) <= 600
        json.dumps(report.to_dict())
        found = judge(report)
        assert "exposure.mail_spf_multiple" in found
        assert "exposure.mail_dmarc_monitor_only" in found  # an unreadable policy protects nothing

    def test_loops_and_garbage(self, collect: Callable[[str], DomainReport]) -> None:
        """An SPF include loop, a CNAME loop, bad DMARC tags and unreadable DKIM keys are reported, not followed."""
        records = collect("hostile-lab.test").records
        spf = records["spf"]["records"]
        assert any(r["include_loop"] for r in spf)
        assert max(r["length"] for r in spf) > 40_000
        assert any("invalid policy" in p for p in records["dmarc"]["problems"])
        keys = {k["selector"]: k for k in records["dkim"]["found"]}
        assert "key not parseable" == keys["default"]["note"]
        assert (keys["selector1"]["key_type"], keys["selector1"]["key_bits"]) == ("ed25519", None)
        loops = [c for c in records["cnames"]["chains"] if c["name"] == "www.hostile-lab.test"]
        assert ["loop"] == [c["status"] for c in loops]
        assert {} == collect("hostile-lab.test").errors


class UdpServer:
    """A one-thread UDP DNS server on 127.0.0.1 whose ``reply(query, index)`` returns bytes or None (silence)."""

    def __init__(self, reply: Callable[[dns.message.Message, int], bytes | None]) -> None:
        self.reply = reply
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def config(self, timeout: float) -> ResolverConfig:
        """A resolver configuration aimed at this server."""
        return ResolverConfig(nameservers=("127.0.0.1",), port=self.port, timeout=timeout)

    def serve(self) -> None:
        index = 0
        while not self.stopping.is_set():
            try:
                data, peer = self.socket.recvfrom(4096)
            except TimeoutError:
                continue
            answer = self.reply(dns.message.from_wire(data), index)
            index += 1
            if answer is not None:
                self.socket.sendto(answer, peer)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()
        self.socket.close()
