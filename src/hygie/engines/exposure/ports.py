"""The ports that matter for a hospital, what usually listens there, and port-list parsing.

The default list is what the judgement cares about: remote access, file sharing, databases,
medical protocols, administration interfaces, SSL VPN portals, web and mail. ``--ports`` takes a
comma-separated list of ports, ranges (``8000-8100``) and named sets (``hospital``, ``top1000``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hygie.engines.exposure.model import Category

__all__ = ["CATALOGUE", "HOSPITAL_PORTS", "PortError", "PortInfo", "parse_ports", "port_info"]

MAX_PORT = 65535


class PortError(ValueError):
    """A port list that cannot be parsed; the message names the bad item."""


@dataclass(frozen=True, slots=True)
class PortInfo:
    """The service usually found on a port, and what it gives an attacker."""

    name: str
    category: Category
    label: str


def _entries() -> dict[int, PortInfo]:
    c = Category
    table: list[tuple[int, str, Category, str]] = [
        # Remote access
        (22, "ssh", c.REMOTE_ACCESS, "SSH"),
        (23, "telnet", c.REMOTE_ACCESS, "Telnet"),
        (3389, "rdp", c.REMOTE_ACCESS, "Remote Desktop (RDP)"),
        (5900, "vnc", c.REMOTE_ACCESS, "VNC"),
        (5901, "vnc", c.REMOTE_ACCESS, "VNC"),
        (5800, "vnc-http", c.REMOTE_ACCESS, "VNC over HTTP"),
        (5938, "teamviewer", c.REMOTE_ACCESS, "TeamViewer"),
        (7070, "anydesk", c.REMOTE_ACCESS, "AnyDesk"),
        (6568, "anydesk", c.REMOTE_ACCESS, "AnyDesk"),
        (512, "rexec", c.REMOTE_ACCESS, "rexec"),
        (513, "rlogin", c.REMOTE_ACCESS, "rlogin"),
        (514, "rsh", c.REMOTE_ACCESS, "rsh"),
        (2222, "ssh", c.REMOTE_ACCESS, "SSH (alternate port)"),
        (5985, "winrm", c.REMOTE_ACCESS, "WinRM (HTTP)"),
        (5986, "winrm-tls", c.REMOTE_ACCESS, "WinRM (HTTPS)"),
        # File sharing
        (21, "ftp", c.FILE_SHARING, "FTP"),
        (69, "tftp", c.FILE_SHARING, "TFTP"),
        (139, "netbios-ssn", c.FILE_SHARING, "NetBIOS session (SMB)"),
        (445, "smb", c.FILE_SHARING, "SMB"),
        (111, "rpcbind", c.FILE_SHARING, "RPC portmapper"),
        (2049, "nfs", c.FILE_SHARING, "NFS"),
        (873, "rsync", c.FILE_SHARING, "rsync"),
        (990, "ftps", c.FILE_SHARING, "FTP over TLS"),
        (548, "afp", c.FILE_SHARING, "AFP"),
        # Databases
        (1433, "mssql", c.DATABASE, "Microsoft SQL Server"),
        (1521, "oracle", c.DATABASE, "Oracle TNS listener"),
        (3306, "mysql", c.DATABASE, "MySQL / MariaDB"),
        (5432, "postgresql", c.DATABASE, "PostgreSQL"),
        (6379, "redis", c.DATABASE, "Redis"),
        (9200, "elasticsearch", c.DATABASE, "Elasticsearch"),
        (9300, "elasticsearch", c.DATABASE, "Elasticsearch transport"),
        (27017, "mongodb", c.DATABASE, "MongoDB"),
        (11211, "memcached", c.DATABASE, "memcached"),
        (5984, "couchdb", c.DATABASE, "CouchDB"),
        (8086, "influxdb", c.DATABASE, "InfluxDB"),
        (9042, "cassandra", c.DATABASE, "Cassandra"),
        (50000, "db2", c.DATABASE, "IBM Db2"),
        # Medical
        (104, "dicom", c.MEDICAL, "DICOM"),
        (11112, "dicom", c.MEDICAL, "DICOM"),
        (4242, "dicom", c.MEDICAL, "DICOM (Orthanc)"),
        (2761, "dicom-tls", c.MEDICAL, "DICOM over TLS"),
        (2762, "dicom-tls", c.MEDICAL, "DICOM over TLS"),
        (2575, "hl7-mllp", c.MEDICAL, "HL7 v2 (MLLP)"),
        (6661, "hl7-mllp", c.MEDICAL, "HL7 v2 (MLLP)"),
        (8042, "http", c.MEDICAL, "Orthanc web interface"),
        # Administration interfaces and devices
        (80, "http", c.WEB, "HTTP"),
        (8000, "http", c.ADMIN, "HTTP (alternate)"),
        (8008, "http", c.ADMIN, "HTTP (alternate)"),
        (8080, "http", c.ADMIN, "HTTP administration / proxy"),
        (8081, "http", c.ADMIN, "HTTP (alternate)"),
        (8888, "http", c.ADMIN, "HTTP (alternate)"),
        (10000, "https", c.ADMIN, "Webmin / backup administration"),
        (9100, "jetdirect", c.ADMIN, "Printer (raw JetDirect)"),
        (515, "lpd", c.ADMIN, "Printer (LPD)"),
        (631, "ipp", c.ADMIN, "Printer (IPP)"),
        (623, "ipmi", c.ADMIN, "IPMI (BMC)"),
        (17988, "ilo", c.ADMIN, "HPE iLO virtual media"),
        (17990, "ilo", c.ADMIN, "HPE iLO remote console"),
        (161, "snmp", c.ADMIN, "SNMP"),
        (902, "vmware-auth", c.ADMIN, "VMware ESXi authentication"),
        (9443, "https", c.ADMIN, "HTTPS administration"),
        (2375, "docker", c.ADMIN, "Docker API (plain)"),
        (2376, "docker-tls", c.ADMIN, "Docker API (TLS)"),
        (6443, "https", c.ADMIN, "Kubernetes API"),
        (1883, "mqtt", c.ADMIN, "MQTT"),
        (502, "modbus", c.ADMIN, "Modbus (building management)"),
        (47808, "bacnet", c.ADMIN, "BACnet (building management)"),
        # SSL VPN portals and web
        (443, "https", c.WEB, "HTTPS"),
        (4433, "https", c.VPN, "SSL VPN portal"),
        (10443, "https", c.VPN, "SSL VPN portal (FortiGate)"),
        (8443, "https", c.VPN, "HTTPS administration / SSL VPN"),
        (4443, "https", c.VPN, "HTTPS administration / SSL VPN"),
        (500, "ike", c.VPN, "IPsec IKE"),
        (1194, "openvpn", c.VPN, "OpenVPN"),
        (1723, "pptp", c.VPN, "PPTP VPN"),
        # Mail and directory
        (25, "smtp", c.MAIL, "SMTP"),
        (465, "smtps", c.MAIL, "SMTP over TLS"),
        (587, "submission", c.MAIL, "SMTP submission"),
        (110, "pop3", c.MAIL, "POP3"),
        (995, "pop3s", c.MAIL, "POP3 over TLS"),
        (143, "imap", c.MAIL, "IMAP"),
        (993, "imaps", c.MAIL, "IMAP over TLS"),
        (53, "dns", c.OTHER, "DNS"),
        (88, "kerberos", c.DIRECTORY, "Kerberos"),
        (389, "ldap", c.DIRECTORY, "LDAP"),
        (636, "ldaps", c.DIRECTORY, "LDAP over TLS"),
        (3268, "ldap", c.DIRECTORY, "Global catalogue"),
        (3269, "ldaps", c.DIRECTORY, "Global catalogue over TLS"),
        (135, "msrpc", c.DIRECTORY, "Microsoft RPC"),
    ]
    return {port: PortInfo(name, category, label) for port, name, category, label in table}


#: Port -> usual service; the default discovery list is its keys.
CATALOGUE: dict[int, PortInfo] = _entries()

#: The default port list: every port of the catalogue, in order.
HOSPITAL_PORTS: tuple[int, ...] = tuple(sorted(CATALOGUE))

_UNKNOWN = PortInfo("", Category.OTHER, "")


def port_info(port: int) -> PortInfo:
    """What usually listens on ``port`` (an empty name when nothing is known)."""
    return CATALOGUE.get(port, _UNKNOWN)


def _top1000() -> tuple[int, ...]:
    """The hospital list topped up with the low ports and common alternates to 1,000 ports."""
    ports = dict.fromkeys(HOSPITAL_PORTS)
    for port in (*range(1, 1025), *range(8000, 8100), *range(9000, 9100)):
        if len(ports) >= 1000:  # noqa: PLR2004 - the set's name
            break
        ports.setdefault(port)
    return tuple(sorted(ports))


NAMED_SETS: dict[str, tuple[int, ...]] = {"hospital": HOSPITAL_PORTS, "top1000": _top1000()}


def parse_ports(text: str) -> tuple[int, ...]:
    """``"22,80,8000-8100,hospital"`` as a sorted tuple of distinct ports; ``PortError`` if malformed."""
    ports: set[int] = set()
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item in NAMED_SETS:
            ports.update(NAMED_SETS[item])
            continue
        low, sep, high = item.partition("-")
        try:
            first = int(low)
            last = int(high) if sep else first
        except ValueError:
            sets = ", ".join(sorted(NAMED_SETS))
            raise PortError(f"{raw.strip()!r} is not a port, a range or a named set ({sets})") from None
        if not (1 <= first <= last <= MAX_PORT):
            raise PortError(f"{raw.strip()!r} is not a valid port or range (1-{MAX_PORT}, low to high)")
        ports.update(range(first, last + 1))
    if not ports:
        raise PortError("the port list is empty")
    return tuple(sorted(ports))
