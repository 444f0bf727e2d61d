"""The SSH probe reads a real OpenSSH's identification and KEXINIT; the checks judge what it saw."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.ssh import parse_identification, parse_kexinit, software_product
from hygie.engines.exposure.tests.lab_remote import hostile_server, remote_findings, run_probe
from hygie.engines.exposure.tests.netlab import LabServer

#: Hostile tests must fail fast: a short probe budget proves nothing waits beyond it.
FAST = ScanPolicy(probe_timeout=2.0, max_read_bytes=64 * 1024)


def kexinit_packet(*lists: str) -> bytes:
    """A well-formed SSH binary packet carrying a KEXINIT with ``lists`` (ten name-lists)."""
    payload = bytes([20]) + b"\x11" * 16
    for names in lists:
        payload += struct.pack(">I", len(names)) + names.encode()
    payload += b"\0" + b"\0\0\0\0"
    padding = 8 - (len(payload) + 5) % 8 + 8
    body = bytes([padding]) + payload + b"\0" * padding
    return struct.pack(">I", len(body)) + body


@pytest.mark.lab
class TestSshProbeOnOpenSSH:
    """Against Debian's OpenSSH, the probe records the software and every algorithm list."""

    def test_weak_server(self, remote_ssh_weak: LabServer) -> None:
        service = run_probe("ssh", remote_ssh_weak.address, remote_ssh_weak.port)
        ssh = service.details["ssh"]
        assert "ssh" == service.name
        assert "OpenSSH" == service.product
        assert service.version.startswith("9.")
        assert service.cpe.startswith("cpe:2.3:a:openbsd:openssh:9.")
        assert Category.REMOTE_ACCESS == service.category
        assert "2.0" == ssh["protocol"]
        assert ssh["software"].startswith("OpenSSH_")
        assert "Debian" in ssh["comments"]
        assert "diffie-hellman-group14-sha1" in ssh["kex"]
        assert "ssh-ed25519" in ssh["host_key"]
        assert "aes128-cbc" in ssh["cipher"]
        assert "hmac-md5" in ssh["mac"]
        assert "none" in ssh["compression"]

    def test_strong_server_on_alternate_port(self, remote_ssh_strong: LabServer) -> None:
        service = run_probe("ssh", remote_ssh_strong.address, remote_ssh_strong.port)
        ssh = service.details["ssh"]
        assert 2222 == service.port
        assert ["curve25519-sha256", "curve25519-sha256@libssh.org"] == [k for k in ssh["kex"] if "curve" in k]
        assert ["ssh-ed25519"] == ssh["host_key"]


@pytest.mark.lab
class TestSshChecksOnOpenSSH:
    """The weak-algorithm finding follows the server's configuration, and never protocol 1 here."""

    def test_weak_algorithms_found(self, remote_ssh_weak: LabServer) -> None:
        service = run_probe("ssh", remote_ssh_weak.address, remote_ssh_weak.port)
        findings = remote_findings(remote_ssh_weak.address, service)
        finding = findings["exposure.ssh_weak_algorithms"]
        weak = finding.evidence["weak"]
        assert Severity.MEDIUM == finding.severity
        assert {"diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"} <= set(weak["kex"])
        assert {"aes128-cbc", "3des-cbc"} == set(weak["cipher"])
        assert ["hmac-md5"] == [m for m in weak["mac"] if m.startswith("hmac")]
        assert f"{remote_ssh_weak.address}:22/tcp" == finding.affected[0].identifier
        assert "exposure.ssh_protocol1" not in findings

    def test_strong_server_has_no_finding(self, remote_ssh_strong: LabServer) -> None:
        service = run_probe("ssh", remote_ssh_strong.address, remote_ssh_strong.port)
        assert {} == remote_findings(remote_ssh_strong.address, service)


class TestSshParsing:
    """Identification lines and KEXINIT payloads are parsed strictly."""

    def test_identification_parts(self) -> None:
        expected = {"protocol": "2.0", "software": "OpenSSH_9.2p1", "comments": "Debian-2+deb12u3"}
        assert expected == parse_identification(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")

    @pytest.mark.parametrize("line", [b"SSH-2.0-\r\n", b"HTTP/1.1 400\r\n", b"SSH-x-y\r\n"])
    def test_malformed_identification(self, line: bytes) -> None:
        with pytest.raises(ProbeError):
            parse_identification(line)

    @pytest.mark.parametrize(
        ("software", "expected"),
        [
            ("OpenSSH_9.2p1", ("OpenSSH", "9.2p1", "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*")),
            ("OpenSSH_7.4", ("OpenSSH", "7.4", "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*")),
            (
                "dropbear_2022.83",
                ("Dropbear SSH", "2022.83", "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*"),
            ),
            ("Cisco-1.25", ("", "", "")),
        ],
    )
    def test_software_product(self, software: str, expected: tuple[str, str, str]) -> None:
        assert expected == software_product(software)

    def test_name_list_running_past_the_packet(self) -> None:
        payload = bytes([20]) + b"\0" * 16 + struct.pack(">I", 1000) + b"curve25519-sha256"
        with pytest.raises(ProbeError, match="runs past"):
            parse_kexinit(payload)

    def test_control_characters_in_a_name(self) -> None:
        payload = bytes([20]) + b"\0" * 16 + struct.pack(">I", 5) + b"a\x1bb,c"
        with pytest.raises(ProbeError, match="malformed"):
            parse_kexinit(payload)


class TestSshChecksOnObservations:
    """Checks read ``details["ssh"]`` only."""

    def test_protocol1_server(self) -> None:
        service = Service(port=22, name="ssh", details={"ssh": {"protocol": "1.5", "banner": "SSH-1.5-Cisco-1.25"}})
        finding = remote_findings("192.0.2.1", service)["exposure.ssh_protocol1"]
        assert Severity.HIGH == finding.severity
        assert "1.5" == finding.evidence["protocol"]

    def test_protocol_1_99_is_protocol1_too(self) -> None:
        service = Service(port=22, details={"ssh": {"protocol": "1.99"}})
        assert "exposure.ssh_protocol1" in remote_findings("192.0.2.1", service)

    def test_dss_host_key_and_arcfour(self) -> None:
        observation = {"kex": ["curve25519-sha256"], "host_key": ["ssh-dss"], "cipher": ["arcfour256"], "mac": []}
        service = Service(port=22, details={"ssh": observation})
        weak = remote_findings("192.0.2.1", service)["exposure.ssh_weak_algorithms"].evidence["weak"]
        assert {"host_key": ["ssh-dss"], "cipher": ["arcfour256"]} == weak

    def test_imported_service_without_details(self) -> None:
        assert {} == remote_findings("192.0.2.1", Service(port=22, name="ssh", source="nmap"))


class TestSshHostileServers:
    """Endless, oversized or garbage answers end in ``ProbeError`` within the probe's budget."""

    def run(self, answer: bytes, *, repeat: bool = False, linger: bool = True) -> ProbeError:
        """Run the probe on a scripted server sending ``answer`` (forever when ``repeat``)."""

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(answer)
            while repeat:
                await writer.drain()
                writer.write(answer)
            await writer.drain()
            # Read the probe's identification line first: closing with unread data would send a
            # reset instead of the end of stream these tests mean.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.read(100), 2)
            if linger:
                await asyncio.sleep(10)

        with hostile_server(handler) as port:
            started = time.monotonic()
            with pytest.raises(ProbeError) as caught:
                run_probe("ssh", "127.0.0.1", port, policy=FAST)
            assert time.monotonic() - started < 3.5
        return caught.value

    def test_endless_banner_without_newline(self) -> None:
        assert "within 255 bytes" in str(self.run(b"SSH-2.0-" + b"A" * 4096, repeat=True))

    def test_endless_preamble_lines(self) -> None:
        assert "no SSH identification" in str(self.run(b"hello\r\n", repeat=True))

    def test_oversized_kexinit_length(self) -> None:
        assert "out of bounds" in str(self.run(b"SSH-2.0-Evil\r\n" + struct.pack(">I", 0x7FFFFFFF) + b"\0" * 64))

    def test_truncated_kexinit(self) -> None:
        packet = kexinit_packet(*(["curve25519-sha256"] * 10))
        message = str(self.run(b"SSH-2.0-Evil\r\n" + packet[:40], linger=False))
        # An end of stream, or a reset when the server's close raced the probe's last write.
        assert "closed" in message or "reset" in message

    def test_silent_server(self) -> None:
        assert "timeout" in str(self.run(b""))

    def test_endless_binary_garbage(self) -> None:
        self.run(bytes(range(256)) * 16, repeat=True)

    def test_well_formed_scripted_server(self) -> None:
        """The same harness with a correct answer succeeds: the failures above are the answers' fault."""

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"Welcome\r\nSSH-2.0-Scripted_1.0\r\n")
            writer.write(
                kexinit_packet(
                    "curve25519-sha256",
                    "ssh-ed25519",
                    *(["aes128-ctr"] * 2),
                    *(["hmac-sha2-256"] * 2),
                    "none",
                    "none",
                    "",
                    "",
                )
            )
            await writer.drain()
            await reader.read(100)

        with hostile_server(handler) as port:
            service = run_probe("ssh", "127.0.0.1", port, policy=FAST)
        assert ["Welcome"] == service.details["ssh"]["preamble"]
        assert ["aes128-ctr"] == service.details["ssh"]["cipher"]
