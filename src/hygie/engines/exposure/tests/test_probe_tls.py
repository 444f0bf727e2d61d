"""TLS probes against the lab's real nginx, their checks, and hostile TLS servers."""

from __future__ import annotations

import asyncio
import os
import struct
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.checks.tls import cipher_weakness
from hygie.engines.exposure.connection import ProbeContext, ProbeError
from hygie.engines.exposure.model import Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.probes._tls_hello import LEGACY_SUITES, client_hello, exchange_hello
from hygie.engines.exposure.probes.tls import describe_certificate, hostname_matches, key_exchange
from hygie.engines.exposure.registry import CHECKS, PROBES
from hygie.engines.exposure.tests.lab_web import hostile_web_server, judge, probe_service

if TYPE_CHECKING:
    from hygie.engines.exposure.tests.lab_web import WebLab

FAST = ScanPolicy(connect_timeout=1.0, probe_timeout=2.0)
TLS_CHECKS = {spec.check_id for spec in CHECKS if spec.check_id.startswith("exposure.tls_")}


def tls_ids(service: Service, **kwargs: Any) -> set[str]:
    """The TLS check ids that fire on ``service``."""
    return {f.check_id for f in judge(service, **kwargs) if f.check_id in TLS_CHECKS}


@pytest.mark.lab
class TestTlsProbeOnLab:
    """The probes record what the real nginx offers; the checks find exactly what was planted."""

    def test_expired_self_signed_site_is_described(self, web_lab: WebLab) -> None:
        site = web_lab.expired
        service = probe_service("tls", site.address, site.port, server_name=site.server_name)
        assert service.tls is not None
        assert {} == service.errors
        assert "https" == service.name
        assert "TLSv1.2" == service.tls["version"]
        assert "ECDHE" == service.tls["key_exchange"]
        leaf = service.tls["certificates"][0]
        assert leaf["self_signed"] is True
        assert ("RSA", 1024) == (leaf["key_type"], leaf["key_bits"])
        assert datetime.fromisoformat(leaf["not_after"]) < datetime.now(UTC)
        assert ["intranet.lab.test"] == leaf["dns_names"]
        assert 64 == len(leaf["sha256"])
        assert service.tls["hostname_match"] is True

    def test_legacy_and_weak_suites_are_found(self, web_lab: WebLab) -> None:
        site = web_lab.expired
        service = probe_service(None, site.address, site.port, server_name=site.server_name)
        assert service.tls is not None
        assert "TLSv1" == service.tls["legacy_version"]
        assert "cbc_sha1" == service.tls["weak_cipher"]["weakness"]
        expected = {
            "exposure.tls_certificate_expired",
            "exposure.tls_untrusted_certificate",
            "exposure.tls_weak_key",
            "exposure.tls_legacy_protocol",
            "exposure.tls_weak_cipher",
        }
        assert expected == tls_ids(service)

    def test_healthy_site_gives_no_finding(self, web_lab: WebLab) -> None:
        site = web_lab.healthy
        service = probe_service(None, site.address, site.port, server_name=site.server_name)
        assert service.tls is not None
        assert "TLSv1.3" == service.tls["version"]
        assert 3 == service.tls["chain_length"]
        assert [True, True, None] == [c["signed_by_next"] for c in service.tls["certificates"]]
        assert service.tls["chain_complete"] is True
        assert service.tls["legacy_version"] is None
        assert service.tls["weak_cipher"] is None
        assert [] == judge(service)

    def test_hostname_mismatch_only_with_a_declared_name(self, web_lab: WebLab) -> None:
        site = web_lab.healthy
        wrong = probe_service("tls", site.address, site.port, server_name="autre.lab.test")
        by_address = probe_service("tls", site.address, site.port)
        assert {"exposure.tls_hostname_mismatch"} == tls_ids(wrong)
        assert by_address.tls is not None
        assert by_address.tls["hostname_match"] is None
        assert set() == tls_ids(by_address)

    def test_sniff_names_an_unknown_tls_port(self, web_lab: WebLab) -> None:
        site = web_lab.healthy
        service = probe_service("tls_sniff", site.address, site.port, service=Service(port=site.port))
        assert service.tls is not None
        assert ("https", "TLSv1.3") == (service.name, service.tls["version"])

    def test_plain_http_port_is_not_tls(self, web_lab: WebLab) -> None:
        service = probe_service("tls", web_lab.expired_http.address, 80)
        assert service.tls is None
        assert "tls" in service.errors

    def test_each_probe_opens_one_connection(self, web_lab: WebLab) -> None:
        site = web_lab.expired
        gate = HostGate(ScanPolicy())
        service = Service(port=site.port, name="https")

        async def run_all() -> None:
            for probe_id in ("tls", "tls_legacy", "tls_weak_ciphers"):
                context = ProbeContext(site.address, site.port, None, ScanPolicy(), RateLimiter(100), gate)
                async with context:
                    await PROBES[probe_id].run(context, service)
                assert 1 == context.connections

        asyncio.run(run_all())
        assert 3 == gate.used[site.address]


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(os.urandom(2048))
    await writer.drain()
    await asyncio.sleep(5)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(10)


def _answer(payload: bytes) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(payload)
        await writer.drain()
        await asyncio.sleep(3)

    return handler


def _server_hello(version: int, suite: int) -> bytes:
    body = struct.pack("!H", version) + bytes(32) + b"\x00" + struct.pack("!H", suite) + b"\x00"
    handshake = b"\x02" + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHH", 0x16, version, len(handshake)) + handshake


def _legacy(port: int) -> Service:
    service = Service(port=port, name="https", tls={"version": "TLSv1.2"})
    return probe_service("tls_legacy", "127.0.0.1", port, service=service, policy=FAST)


class TestHostileTlsServers:
    """Garbage, silence and malformed handshakes end in a recorded error within the time limit."""

    @pytest.mark.parametrize("handler", [_garbage, _silent], ids=["garbage", "silent"])
    @pytest.mark.parametrize("probe_id", ["tls", "tls_sniff"])
    def test_handshake_fails_cleanly(self, handler: Any, probe_id: str) -> None:
        with hostile_web_server(handler) as port:
            started = time.monotonic()
            service = probe_service(probe_id, "127.0.0.1", port, policy=FAST)
        assert time.monotonic() - started < 4.0
        assert service.tls is None
        assert probe_id in service.errors

    def test_legacy_probe_reads_a_server_hello(self) -> None:
        with hostile_web_server(_answer(_server_hello(0x0301, 0x002F))) as port:
            service = _legacy(port)
        assert service.tls is not None
        assert "TLSv1" == service.tls["legacy_version"]
        assert "AES128-SHA" == service.tls["legacy_cipher"]

    def test_an_alert_means_refused(self) -> None:
        with hostile_web_server(_answer(b"\x15\x03\x03\x00\x02\x02\x46")) as port:
            service = _legacy(port)
        assert service.tls is not None
        assert service.tls["legacy_checked"] is True
        assert service.tls["legacy_version"] is None

    @pytest.mark.parametrize(
        "payload",
        [
            b"HTTP/1.1 400 Bad Request\r\n\r\n",
            b"\x16\x03\x03\xff\xff" + bytes(100),  # record longer than TLS allows
            b"\x16\x03\x03\x00\x04\x02\x00\x00\x00",  # truncated ServerHello
            b"\x16\x03\x03\x00\x30" + bytes(10),  # record cut short, then silence
        ],
        ids=["http", "oversized", "truncated", "short"],
    )
    def test_malformed_answers_are_probe_errors(self, payload: bytes) -> None:
        with hostile_web_server(_answer(payload)) as port:
            started = time.monotonic()
            service = _legacy(port)
        assert time.monotonic() - started < 4.0
        assert "tls_legacy" in service.errors

    def test_exchange_hello_raises_probe_error(self) -> None:
        async def ask(port: int) -> None:
            context = ProbeContext("127.0.0.1", port, None, FAST, RateLimiter(100), HostGate(FAST))
            async with context:
                stream = await context.connect()
                await exchange_hello(stream, 0x0302, LEGACY_SUITES)

        with hostile_web_server(_garbage) as port, pytest.raises(ProbeError):
            asyncio.run(ask(port))

    def test_legacy_probes_wait_for_a_working_handshake(self) -> None:
        service = probe_service("tls_weak_ciphers", "127.0.0.1", 9, policy=FAST)
        assert service.tls is None
        assert {} == service.errors  # nothing was sent: the port never spoke TLS


class TestClientHello:
    """The hand-built ClientHello is well-formed TLS."""

    def test_structure(self) -> None:
        record = client_hello(0x0302, LEGACY_SUITES, "vpn.lab.test")
        kind, version, length = struct.unpack("!BHH", record[:5])
        assert (0x16, 0x0301, len(record) - 5) == (kind, version, length)
        assert 0x01 == record[5]
        assert 0x0302 == struct.unpack("!H", record[9:11])[0]
        assert b"vpn.lab.test" in record

    def test_no_sni_for_an_address(self) -> None:
        assert b"198.18" not in client_hello(0x0303, LEGACY_SUITES, "198.18.0.1")


def _certificate(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    certificate = {
        "subject": "CN=www.chu.test",
        "issuer": "CN=CA",
        "dns_names": ["www.chu.test"],
        "not_before": (now - timedelta(days=10)).isoformat(),
        "not_after": (now + timedelta(days=200)).isoformat(),
        "key_type": "RSA",
        "key_bits": 2048,
        "signature_hash": "sha256",
        "signature_algorithm": "sha256WithRSAEncryption",
        "self_signed": False,
        "sha256": "00" * 32,
        "signed_by_next": True,
    }
    certificate.update(overrides)
    return certificate


def _root(**overrides: Any) -> dict[str, Any]:
    return _certificate(subject="CN=CA", self_signed=True, signed_by_next=None, **overrides)


def _service(*certificates: dict[str, Any], **tls: Any) -> Service:
    observed: dict[str, Any] = {
        "version": "TLSv1.3",
        "cipher": "TLS_AES_128_GCM_SHA256",
        "certificates": list(certificates),
        "chain_length": len(certificates),
        "issuer_known": False,
        "server_name": None,
        "hostname_match": None,
    }
    observed.update(tls)
    return Service(port=443, name="https", tls=observed)


class TestTlsChecks:
    """Each TLS check fires on its weakness and stays silent without it."""

    def test_sound_chain_is_silent(self) -> None:
        assert set() == tls_ids(_service(_certificate(), _root()))

    @pytest.mark.parametrize(("days", "severity"), [(20, Severity.LOW), (3, Severity.MEDIUM)])
    def test_expiring_soon(self, days: int, severity: Severity) -> None:
        leaf = _certificate(not_after=(datetime.now(UTC) + timedelta(days=days, hours=1)).isoformat())
        findings = [f for f in judge(_service(leaf, _root())) if f.check_id.startswith("exposure.tls_")]
        assert ["exposure.tls_certificate_expiring"] == [f.check_id for f in findings]
        assert severity == findings[0].severity
        assert days == findings[0].evidence["days_left"]

    def test_not_yet_valid_counts_as_expired(self) -> None:
        leaf = _certificate(not_before=(datetime.now(UTC) + timedelta(days=2)).isoformat())
        assert {"exposure.tls_certificate_expired"} == tls_ids(_service(leaf, _root()))

    def test_weak_signature_ignores_self_signed_roots(self) -> None:
        sha1_intermediate = _certificate(subject="CN=Sub", signature_hash="sha1")
        md5_leaf = _certificate(signature_hash="md5", signature_algorithm="md5WithRSAEncryption")
        assert set() == tls_ids(_service(_certificate(), _root(signature_hash="sha1")))
        assert {"exposure.tls_weak_signature"} == tls_ids(_service(_certificate(), sha1_intermediate, _root()))
        md5 = [f for f in judge(_service(md5_leaf, _root())) if f.check_id == "exposure.tls_weak_signature"]
        assert Severity.HIGH == md5[0].severity

    @pytest.mark.parametrize(
        ("key_type", "bits", "weak"),
        [("RSA", 2048, False), ("RSA", 1536, True), ("EC", 256, False), ("EC", 224, True), ("DSA", 1024, True)],
    )
    def test_weak_key(self, key_type: str, bits: int, weak: bool) -> None:
        service = _service(_certificate(key_type=key_type, key_bits=bits), _root())
        assert weak == ("exposure.tls_weak_key" in tls_ids(service))

    @pytest.mark.parametrize(
        ("chain", "issuer_known", "reason"),
        [
            ([_certificate(self_signed=True, signed_by_next=None)], None, "self_signed"),
            ([_certificate(signed_by_next=False), _root()], False, "broken_chain"),
            ([_certificate(signed_by_next=None)], False, "unknown_issuer"),
            ([_certificate(signed_by_next=None)], True, ""),  # issued by a root of the system store
            ([_certificate(signed_by_next=None)], None, ""),  # store unreadable: no guess
        ],
    )
    def test_untrusted_chain(self, chain: list[dict[str, Any]], issuer_known: bool | None, reason: str) -> None:
        findings = [
            f
            for f in judge(_service(*chain, issuer_known=issuer_known))
            if f.check_id == "exposure.tls_untrusted_certificate"
        ]
        assert reason == (findings[0].evidence["reason"] if findings else "")

    def test_hostname_mismatch_needs_a_declared_name(self) -> None:
        declared = _service(_certificate(), _root(), server_name="vpn.chu.test", hostname_match=False)
        undeclared = _service(_certificate(), _root(), server_name=None, hostname_match=False)
        assert {"exposure.tls_hostname_mismatch"} == tls_ids(declared)
        assert set() == tls_ids(undeclared)

    def test_legacy_version_as_best_version(self) -> None:
        service = _service(_certificate(), _root(), version="TLSv1", cipher="AES128-SHA")
        assert {"exposure.tls_legacy_protocol", "exposure.tls_weak_cipher"} == tls_ids(service)

    @pytest.mark.parametrize(
        ("weakness", "severity"), [("rc4", Severity.HIGH), ("3des", Severity.MEDIUM), ("cbc_sha1", Severity.LOW)]
    )
    def test_weak_cipher_severity(self, weakness: str, severity: Severity) -> None:
        service = _service(_certificate(), _root(), weak_cipher={"name": "X", "weakness": weakness})
        findings = [f for f in judge(service) if f.check_id == "exposure.tls_weak_cipher"]
        assert severity == findings[0].severity

    @pytest.mark.parametrize(
        "tls",
        [
            None,
            {},
            {"version": ""},
            {"version": "TLSv1.2", "certificates": "garbage"},
            {"version": "TLSv1.2", "certificates": [1, None, {"error": "x"}]},
        ],
    )
    def test_imported_or_malformed_observations_are_silent(self, tls: dict[str, Any] | None) -> None:
        assert set() == tls_ids(Service(port=443, name="https", tls=tls, source="nmap"))


class TestTlsHelpers:
    """Pure helpers of the TLS probe."""

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("www.chu.test", True),
            ("WWW.CHU.TEST.", True),
            ("vpn.chu.test", True),  # *.chu.test
            ("a.vpn.chu.test", False),  # a wildcard covers one label
            ("chu.test", False),
            ("192.0.2.7", True),
            ("192.0.2.8", False),
        ],
    )
    def test_hostname_matches(self, name: str, expected: bool) -> None:
        certificate = {"dns_names": ["www.chu.test", "*.chu.test"], "ip_addresses": ["192.0.2.7"]}
        assert expected == hostname_matches(name, certificate)

    def test_common_name_only_without_san(self) -> None:
        assert hostname_matches("legacy.chu.test", {"dns_names": [], "common_names": ["legacy.chu.test"]})
        assert not hostname_matches(
            "legacy.chu.test", {"dns_names": ["x.chu.test"], "common_names": ["legacy.chu.test"]}
        )

    def test_garbage_certificate(self) -> None:
        assert "error" in describe_certificate(b"\x30\x03garbage")

    @pytest.mark.parametrize(
        ("cipher", "weakness"),
        [
            ("ECDHE-RSA-AES128-GCM-SHA256", ""),
            ("TLS_AES_128_GCM_SHA256", ""),
            ("ECDHE-RSA-AES128-SHA", "cbc_sha1"),
            ("DES-CBC3-SHA", "3des"),
            ("RC4-MD5", "rc4"),
            ("ADH-AES128-SHA", "anonymous"),
            ("EXP-RC4-MD5", "export"),
            ("NULL-SHA256", "null"),
        ],
    )
    def test_cipher_weakness(self, cipher: str, weakness: str) -> None:
        assert weakness == cipher_weakness(cipher)

    @pytest.mark.parametrize(
        ("version", "cipher", "expected"),
        [
            ("TLSv1.3", "TLS_AES_256_GCM_SHA384", "(EC)DHE"),
            ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE"),
            ("TLSv1.2", "DHE-RSA-AES128-SHA", "DHE"),
            ("TLSv1.2", "AES128-SHA", "RSA"),
            ("TLSv1.2", "AECDH-AES128-SHA", "anonymous"),
        ],
    )
    def test_key_exchange(self, version: str, cipher: str, expected: str) -> None:
        assert expected == key_exchange(version, cipher)
