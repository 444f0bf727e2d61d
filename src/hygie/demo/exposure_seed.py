"""Internet exposure of the demo: a perimeter per main establishment and two scans each, a month apart.

The scans are built as engine results (no packet is sent: the ranges are the documentation
ranges of RFC 5737 and the names live under ``.example``), judged by the engine's own judgement
and stored like real scans, so the findings land in the register and the node dashboards show
what appeared between the two scans: an RDP server and a DICOM port newly exposed, a certificate
that expired, an SSL VPN FortiGate whose version stays listed in the known-exploited catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan, ScanSource, ScanStatus
from hygie.apps.exposure.running import store_result
from hygie.engines.exposure.model import Category, DomainReport, Host, ScanResult, Service
from hygie.engines.exposure.registry import JudgeContext

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["EXPOSURE_PERIMETERS", "build_result", "seed_exposure"]

#: (establishment key, perimeter name, range, domain): the main establishments of the demo GHT.
EXPOSURE_PERIMETERS = (
    ("support", "Internet CH Valbrise", "192.0.2.0/24", "ch-valbrise.example"),
    ("general", "Internet CH Montbrezin", "198.51.100.0/24", "ch-montbrezin.example"),
    ("psychiatry", "Internet EPSM Forez", "203.0.113.0/24", "epsm-forez.example"),
)
#: Days before "now" of the two scans of each perimeter.
SCAN_DAYS = (35, 4)
_PORTS = "hospital"


def _tls(
    subject: str, not_after: dt.datetime, *, version: str = "TLSv1.3", self_signed: bool = False
) -> dict[str, Any]:
    certificate = {
        "subject": f"CN={subject}",
        "issuer": f"CN={subject}" if self_signed else "CN=Demo Issuing CA,O=Demo PKI",
        "common_names": [subject],
        "dns_names": [subject],
        "ip_addresses": [],
        "not_before": (not_after - dt.timedelta(days=365)).isoformat(),
        "not_after": not_after.isoformat(),
        "key_type": "RSA",
        "key_bits": 2048,
        "curve": "",
        "signature_algorithm": "sha256WithRSAEncryption",
        "signature_hash": "sha256",
        "self_signed": self_signed,
    }
    return {
        "version": version,
        "cipher": "TLS_AES_256_GCM_SHA384" if version == "TLSv1.3" else "ECDHE-RSA-AES256-SHA",
        "bits": 256,
        "server_name": subject,
        "hostname_match": True,
        "certificates": [certificate],
    }


def _service(port: int, name: str, category: Category, product: str = "", version: str = "", **extra: Any) -> Service:
    return Service(port=port, name=name, category=category, product=product, version=version, **extra)


def _hosts(key: str, prefix: str, domain: str, when: dt.datetime, *, second: bool) -> list[Host]:
    """What answered on the establishment's range at ``when`` (the second scan shows the changes)."""
    net = prefix.rsplit(".", 1)[0]
    valid = when + dt.timedelta(days=200)
    hosts: list[Host] = []
    if key == "support":
        webmail_expiry = when - dt.timedelta(days=10) if second else when + dt.timedelta(days=20)
        hosts += [
            Host(
                f"{net}.10",
                [f"vpn.{domain}"],
                [
                    _service(
                        443,
                        "https",
                        Category.VPN,
                        "FortiOS",
                        "7.2.4",
                        cpe="cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
                        tls=_tls(f"vpn.{domain}", valid),
                        details={"http": {"status": 200, "title": "FortiGate SSL VPN"}},
                    ),
                ],
            ),
            Host(
                f"{net}.20",
                [f"webmail.{domain}"],
                [
                    _service(
                        443, "https", Category.WEB, "nginx", "1.22.1", tls=_tls(f"webmail.{domain}", webmail_expiry)
                    ),
                    _service(25, "smtp", Category.MAIL, "Postfix", banner=f"220 mail.{domain} ESMTP Postfix"),
                ],
            ),
        ]
        if second:
            hosts += [
                Host(
                    f"{net}.31",
                    [f"ts-radiologie.{domain}"],
                    [
                        _service(
                            3389,
                            "rdp",
                            Category.REMOTE_ACCESS,
                            "Microsoft Terminal Services",
                            details={"rdp": {"nla": False, "protocols": ["rdp", "ssl"]}},
                        ),
                    ],
                ),
                Host(
                    f"{net}.40",
                    [],
                    [_service(104, "dicom", Category.MEDICAL, "DICOM", details={"dicom": {"accepts_any_ae": True}})],
                ),
            ]
    elif key == "general":
        services = [_service(443, "https", Category.WEB, "Apache httpd", "2.4.57", tls=_tls(f"www.{domain}", valid))]
        if not second:
            services.append(_service(22, "ssh", Category.REMOTE_ACCESS, "OpenSSH", "7.4", banner="SSH-2.0-OpenSSH_7.4"))
        else:
            services.append(
                _service(21, "ftp", Category.FILE_SHARING, "vsftpd", "3.0.3", details={"ftp": {"anonymous": True}})
            )
        hosts.append(Host(f"{net}.5", [f"www.{domain}"], services))
        if second:
            hosts.append(
                Host(
                    f"{net}.60",
                    [],
                    [
                        _service(
                            6379,
                            "redis",
                            Category.DATABASE,
                            "Redis",
                            "6.0.16",
                            details={"redis": {"authenticated": False}},
                        )
                    ],
                )
            )
    else:
        services = [
            _service(
                443,
                "https",
                Category.WEB,
                "Microsoft IIS httpd",
                "10.0",
                tls=_tls(f"portail.{domain}", valid, version="TLSv1.2", self_signed=True),
            )
        ]
        if not second:
            services.append(
                _service(
                    3389, "rdp", Category.REMOTE_ACCESS, "Microsoft Terminal Services", details={"rdp": {"nla": True}}
                )
            )
        hosts.append(Host(f"{net}.8", [f"portail.{domain}"], services))
    return hosts


class _DemoZone:
    """The demo domain's TXT records, answered like the resolver would, so the engine's own parsers read them."""

    def __init__(self, domain: str) -> None:
        self.txt = {
            domain: [f"v=spf1 mx include:_spf.{domain} ~all"],
            f"_spf.{domain}": ["v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all"],
            f"_dmarc.{domain}": [f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"],
        }

    def texts(self, name: str) -> list[str]:
        """TXT strings at ``name``."""
        return self.txt.get(name, [])

    def ask(self, name: str, rdtype: str, *, dnssec: bool = False) -> None:
        """No other record exists in the demo zone."""


def _domain(domain: str) -> DomainReport:
    """Weak e-mail protections (SPF ending in ~all, DMARC p=none, no DKIM, no MTA-STS), unsigned, no CAA."""
    from hygie.engines.exposure.dns_mail import dkim_record, dmarc_record, mta_sts_record, spf_record

    zone: Any = _DemoZone(domain)
    return DomainReport(
        domain=domain,
        records={
            "zone": domain,
            "mx": {"hosts": [{"preference": 10, "host": f"mx.{domain}"}], "null_mx": False},
            "spf": spf_record(zone, domain, sends_mail=True),
            "dmarc": dmarc_record(zone, domain),
            "dkim": dkim_record(zone, domain, ("selector1", "default", "mail")),
            "mta_sts": mta_sts_record(zone, domain),
            "dnssec": {"zone": domain, "enabled": False, "dnskey": [], "ds": {"present": False}},
            "caa": {"records": [], "found_at": None, "inherited": False},
        },
    )


def build_result(key: str, prefix: str, domain: str, when: dt.datetime, *, second: bool) -> ScanResult:
    """The judged result of one demo scan."""
    from hygie.engines.exposure.judge import judge

    hosts = _hosts(key, prefix, domain, when, second=second)
    result = ScanResult(
        started_at=when,
        finished_at=when + dt.timedelta(minutes=12),
        hosts=hosts,
        domains=[_domain(domain)],
        ports=[],
        stats={"addresses": 256, "demo": True},
    )
    judge(result, JudgeContext(now=when))
    return result


def seed_exposure(owners: dict[str, Node], user: Any, progress: Progress, now: dt.datetime) -> int:
    """Perimeters and their two scans (skipped where the perimeter already exists); returns the scans stored."""
    progress.start("Internet exposure", total=len(EXPOSURE_PERIMETERS))
    stored = 0
    for key, name, prefix, domain in EXPOSURE_PERIMETERS:
        node = owners[key]
        if ExposurePerimeter.objects.filter(node=node, name=name).exists():
            progress.advance()
            continue
        perimeter = ExposurePerimeter.objects.create(
            node=node,
            name=name,
            entries=f"{prefix}\n*.{domain}",
            dns_domains=domain,
            authorised_by="Direction générale (demo)",
            valid_until=now + dt.timedelta(days=365),
            ports=_PORTS,
            interval_days=30,
            next_run_at=now + dt.timedelta(days=26),
            created=now - dt.timedelta(days=40),
        )
        for index, days in enumerate(SCAN_DAYS):
            when = now - dt.timedelta(days=days)
            scan = ExposureScan.objects.create(
                node=node,
                perimeter=perimeter,
                perimeter_snapshot=perimeter.snapshot(),
                source=ScanSource.SCAN,
                label=name,
                scheduled=index > 0,
                status=ScanStatus.RUNNING,
                started=when,
                created=when,
                created_by=user,
            )
            store_result(scan, build_result(key, prefix, domain, when, second=index > 0), now=when)
            stored += 1
        progress.advance()
    return stored
