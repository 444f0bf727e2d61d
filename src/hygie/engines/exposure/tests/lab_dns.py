"""Lab servers: BIND 9 serving the lab's DNS zones (addresses .50-.59).

One ``named`` runs in the foreground on ``.53:53``, authoritative only (``recursion no``), and
serves the zones the DNS and e-mail checks judge:

- ``chu-lab.test``: a weak hospital domain (SPF ``~all``, DMARC ``p=none``, no DKIM, CAA nor
  MTA-STS, zone transfer open to anybody, unsigned, two dangling CNAMEs);
- ``ght-lab.test``: a strong group domain (SPF ``-all``, DMARC ``p=reject``, a 2048-bit DKIM key,
  MTA-STS and TLS-RPT, CAA, transfer refused, DNSSEC-signed with a DS in the parent ``test.``);
- ``clinique-lab.test``: no MX, two SPF records (one ``+all``), too many SPF look-ups, DMARC with
  ``pct=25`` and ``sp=none``;
- ``perime-lab.test``: signed, but every signature expired in 2020;
- ``hostile-lab.test``: huge, binary and many-string TXT records, an SPF include loop, a CNAME loop;
- ``azurewebsites.net``: a lab-only zone named like the real provider suffix, so the dangling CNAME
  of ``chu-lab.test`` ends in NXDOMAIN at a takeover-prone provider. The resolver of the tests is
  this BIND, so no query for it ever leaves the lab.

Signed zones are signed beforehand with ``dnssec-keygen`` and ``dnssec-signzone`` (bind9-utils): the
zone is ready, signatures included, as soon as ``named`` listens.
"""

from __future__ import annotations

import base64
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hygie.engines.exposure.dns import ResolverConfig
from hygie.engines.exposure.tests.netlab import LabError, LabProcess, NetLab

__all__ = ["DnsLab", "dns_lab"]

#: The lab address of the name server (``<subnet>.53``).
DNS_INDEX = 53

_SOA = "@ SOA ns1.{origin}. hostmaster.{origin}. 2026010101 3600 600 86400 300"


@dataclass(frozen=True, slots=True)
class DnsLab:
    """The running lab name server: its address, a resolver configuration aimed at it, its log."""

    address: str
    resolver: ResolverConfig
    process: LabProcess
    subnet_prefix: str

    def query_log(self) -> str:
        """Everything ``named`` logged so far (``querylog yes``: one line per query received)."""
        return self.process.log.read_text(errors="replace")

    def axfr_queries(self) -> int:
        """How many zone transfer requests the server received so far."""
        # named writes its log line after answering: give a just-finished transfer time to land.
        time.sleep(0.2)
        return len(re.findall(r"query: \S+ IN AXFR", self.query_log()))


def _txt(value: str | bytes, chunk: int = 250) -> str:
    """``value`` as a zone-file TXT rdata: strings of at most ``chunk`` bytes, escaped."""
    data = value.encode() if isinstance(value, str) else value
    parts = []
    for start in range(0, max(len(data), 1), chunk):
        piece = data[start : start + chunk]
        parts.append('"' + "".join(_escape(b) for b in piece) + '"')
    return " ".join(parts)


def _escape(byte: int) -> str:
    if byte in (0x22, 0x5C):  # quote and backslash
        return "\\" + chr(byte)
    if 0x20 <= byte < 0x7F:
        return chr(byte)
    return f"\\{byte:03d}"


def _zone(origin: str, ns_address: str, body: str) -> str:
    head = f"$ORIGIN {origin}.\n$TTL 300\n{_SOA.format(origin=origin)}\n@ NS ns1\nns1 A {ns_address}\n"
    return head + body.strip() + "\n"


def _zones(lab: NetLab, ns: str) -> dict[str, str]:
    """Zone name -> zone file text."""
    net = str(lab.network)
    dkim_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    dkim_der = dkim_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    dkim = f"v=DKIM1; k=rsa; p={base64.b64encode(dkim_der).decode()}"
    hostile_dmarc = _txt(b"v=DMARC1; p=\xff\x00; pct=abc; sp=; rua=" + b"A" * 3000)
    hostile_sts = _txt(b"v=STSv1; id=" + b"\x07" * 600)
    return {
        "chu-lab.test": _zone(
            "chu-lab.test",
            ns,
            f"""
@ MX 10 mail
mail A {lab.address(20)}
www A {lab.address(10)}
vpn A {lab.address(11)}
pacs A {lab.address(30)}
webmail CNAME mail
extranet CNAME chu-lab-actuel.azurewebsites.net.
@ TXT {_txt(f"v=spf1 ip4:{net} mx ~all")}
_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@chu-lab.test"
ancien-portail CNAME chu-lab-old.azurewebsites.net.
vieux-pacs CNAME pacs-2015.chu-lab.test.
""",
        ),
        "ght-lab.test": _zone(
            "ght-lab.test",
            ns,
            f"""
@ MX 10 mail
mail A {lab.address(21)}
www A {lab.address(13)}
services A {lab.address(14)}
portail CNAME www
mta-sts A {lab.address(13)}
@ TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:dmarc@ght-lab.test"
selector1._domainkey TXT {_txt(dkim)}
_mta-sts TXT "v=STSv1; id=20260101T000000"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@ght-lab.test"
@ CAA 0 issue "letsencrypt.org"
@ CAA 0 iodef "mailto:securite@ght-lab.test"
""",
        ),
        "clinique-lab.test": _zone(
            "clinique-lab.test",
            ns,
            f"""
www A {lab.address(15)}
@ TXT "v=spf1 +all"
@ TXT "v=spf1 a mx include:_spf1.clinique-lab.test include:_spf2.clinique-lab.test -all"
_spf1 TXT "v=spf1 a mx ptr exists:%{{i}}.x.clinique-lab.test -all"
_spf2 TXT "v=spf1 a mx ptr exists:%{{i}}.y.clinique-lab.test -all"
_dmarc TXT "v=DMARC1; p=quarantine; sp=none; pct=25"
""",
        ),
        "perime-lab.test": _zone("perime-lab.test", ns, f"www A {lab.address(16)}"),
        "hostile-lab.test": _zone(
            "hostile-lab.test",
            ns,
            f"""
@ MX 10 mail
mail A {lab.address(22)}
@ TXT {_txt("v=spf1 " + "ip4:192.0.2.1 " * 3500 + "-all")}
@ TXT {_txt(bytes(range(256)))}
@ TXT {" ".join('"x"' for _ in range(1000))}
@ TXT "v=spf1 include:hostile-lab.test redirect=hostile-lab.test ?all"
_dmarc TXT {hostile_dmarc}
default._domainkey TXT "v=DKIM1; k=rsa; p=!!!not-base64!!!"
selector1._domainkey TXT "v=DKIM1; k=ed25519; p=AAAA"
@ CAA 128 tbs "\\000\\001binary"
www CNAME boucle.hostile-lab.test.
boucle CNAME www.hostile-lab.test.
_mta-sts TXT {hostile_sts}
""",
        ),
        "azurewebsites.net": _zone("azurewebsites.net", ns, f"chu-lab-actuel A {lab.address(12)}"),
    }


def _sign(workdir: Path, origin: str, expired: bool) -> str:
    """Sign ``workdir/<origin>.db`` with a fresh KSK and ZSK; return the signed file's name and DS lines."""
    keys = workdir / f"keys-{origin}"
    keys.mkdir()
    for extra in (["-f", "KSK"], []):
        subprocess.run(  # noqa: S603 - fixed arguments
            ["dnssec-keygen", "-q", "-K", str(keys), "-a", "ECDSAP256SHA256", *extra, origin],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=30,
        )
    # -P: the post-signing verification would (rightly) reject signatures that expired in 2020.
    validity = ["-P", "-s", "20200101000000", "-e", "20200201000000"] if expired else []
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - bind9-utils from PATH
            "dnssec-signzone",
            "-q",
            "-S",
            "-K",
            str(keys),
            "-d",
            str(workdir),
            "-o",
            origin,
            *validity,
            "-f",
            str(workdir / f"{origin}.signed"),
            str(workdir / f"{origin}.db"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
        cwd=workdir,
    )
    return (workdir / f"dsset-{origin}.").read_text()


def _write_config(lab: NetLab, ns: str) -> Path:
    workdir = lab.workdir / "named"
    workdir.mkdir()
    zones = _zones(lab, ns)
    for origin, text in zones.items():
        (workdir / f"{origin}.db").write_text(text)
    ds_lines = _sign(workdir, "ght-lab.test", expired=False) + _sign(workdir, "perime-lab.test", expired=True)
    delegations = "".join(
        f"{origin}. NS ns1.{origin}.\nns1.{origin}. A {ns}\n" for origin in zones if origin.endswith(".test")
    )
    (workdir / "test.db").write_text(
        f"$ORIGIN test.\n$TTL 300\n{_SOA.format(origin='test')}\n@ NS ns1.chu-lab.test.\n{delegations}{ds_lines}"
    )
    files = {origin: f"{origin}.db" for origin in zones} | {
        "ght-lab.test": "ght-lab.test.signed",
        "perime-lab.test": "perime-lab.test.signed",
        "test": "test.db",
    }
    statements = []
    for origin, name in files.items():
        transfer = "any" if origin == "chu-lab.test" else "none"
        statements.append(
            f'zone "{origin}" {{ type primary; file "{workdir / name}"; allow-transfer {{ {transfer}; }}; }};'
        )
    config = workdir / "named.conf"
    config.write_text(
        f"""options {{
    directory "{workdir}";
    pid-file "{workdir / "named.pid"}";
    session-keyfile "{workdir / "session.key"}";
    managed-keys-directory "{workdir}";
    listen-on port 53 {{ {ns}; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    querylog yes;
    allow-transfer {{ none; }};
}};
controls {{ }};
"""
        + "\n".join(statements)
        + "\n"
    )
    return config


@pytest.fixture(scope="session")
def dns_lab(netlab: NetLab) -> Iterator[DnsLab]:
    """BIND on ``.53:53`` serving the lab zones (started once per session, on first use)."""
    ns = netlab.add_address(DNS_INDEX)
    config = _write_config(netlab, ns)
    check = subprocess.run(  # noqa: S603 - fixed arguments
        ["named-checkconf", "-z", str(config)],  # noqa: S607 - bind9 from PATH
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if check.returncode != 0:
        raise LabError(f"named-checkconf refused the lab configuration: {check.stdout}{check.stderr}")
    # -g: foreground with logs on stderr (the lab stops it); -n 1: one worker is plenty for tests.
    process = netlab.start("named", ["named", "-g", "-n", "1", "-c", str(config)], ready=(ns, 53))
    prefix = ".".join(ns.split(".")[:3])
    yield DnsLab(
        address=ns, resolver=ResolverConfig(nameservers=(ns,), timeout=2.0), process=process, subnet_prefix=prefix
    )
    process.stop()
