"""Log detection of the demo: log sources on two establishments, hunted for real by the engine.

The demo has no log corpus, so the seed writes a small JSON-lines export per establishment
itself: a plausible night before a ransomware attack (an RDP logon from one server to another,
PsExec installed, LSASS read, the security log cleared, shadow copies and the backup catalogue
deleted) among ordinary events, in the EVTX JSON form (``evtx_dump``, Sysmon for Linux). The
files are uploaded to the log sources and hunted with the built-in hospital pack, so every alert
comes from the engine; a few are then moved through the workflow by the demo analyst.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import orjson

from hygie.apps.detection.models import AlertStatus, LogSource, LogSourceKind
from hygie.apps.detection.packs import ensure_builtin_packs
from hygie.apps.detection.running import HuntFailedError, execute_hunt, new_hunt
from hygie.apps.detection.uploads import store_log_file
from hygie.apps.detection.workflow import transition

if TYPE_CHECKING:
    from hygie.apps.inventory.models import Asset
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["DETECTION_ESTABLISHMENTS", "demo_events", "seed_detection"]

#: Establishments of the demo that send logs, and the DNS suffix of their hosts.
DETECTION_ESTABLISHMENTS = (("support", "ch-valbrise.local"), ("general", "ch-montbrezin.local"))
SYSMON = "Microsoft-Windows-Sysmon/Operational"
_PROVIDERS = {
    SYSMON: "Microsoft-Windows-Sysmon",
    "Security": "Microsoft-Windows-Security-Auditing",
    "System": "Service Control Manager",
}


def _event(  # noqa: PLR0917 - the fields of an event header, in their order
    record: int, channel: str, event_id: int, computer: str, when: dt.datetime, data: dict[str, str], provider: str = ""
) -> dict[str, Any]:
    """One event in the EVTX JSON form."""
    return {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": provider or _PROVIDERS[channel]}},
                "EventID": event_id,
                "TimeCreated": {"#attributes": {"SystemTime": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}},
                "EventRecordID": record,
                "Channel": channel,
                "Computer": computer,
            },
            "EventData": data,
        }
    }


def demo_events(hosts: list[str], start: dt.datetime) -> list[dict[str, Any]]:
    """A night of events on ``hosts`` (at least two, FQDN), attack steps among routine ones, from ``start``."""
    first, second = hosts[0], hosts[1]
    victim = hosts[2] if len(hosts) > 2 else first  # noqa: PLR2004 - a third server when the inventory has one
    at = [start + dt.timedelta(minutes=minutes) for minutes in range(0, 24 * 60, 7)]
    events: list[dict[str, Any]] = []

    def add(  # noqa: PLR0917 - the fields of an event header, in their order
        channel: str, event_id: int, computer: str, when: dt.datetime, data: dict[str, str], provider: str = ""
    ) -> None:
        events.append(_event(len(events) + 1, channel, event_id, computer, when, data, provider))

    # Routine: services and interactive logons that no rule should flag.
    for index, when in enumerate(at[:60]):
        host = hosts[index % len(hosts)]
        add(
            SYSMON,
            1,
            host,
            when,
            {
                "Image": "C:\\Windows\\System32\\svchost.exe",
                "CommandLine": "svchost.exe -k netsvcs -p",
                "User": "NT AUTHORITY\\SYSTEM",
            },
        )
        add("Security", 4624, host, when, {"LogonType": "3", "TargetUserName": "svc-backup", "IpAddress": "10.20.1.5"})
    # 02:10 RDP from one server to the next, then PsExec on a third.
    night = start + dt.timedelta(hours=2, minutes=10)
    add(
        "Security",
        4624,
        second,
        night,
        {
            "LogonType": "10",
            "TargetUserName": "adm-maint",
            "IpAddress": "10.20.1.14",
            "WorkstationName": first.split(".")[0].upper(),
        },
    )
    add(
        "Security",
        4624,
        victim,
        night + dt.timedelta(minutes=3),
        {"LogonType": "10", "TargetUserName": "adm-maint", "IpAddress": "10.20.1.15"},
    )
    add(
        "System",
        7045,
        victim,
        night + dt.timedelta(minutes=9),
        {"ServiceName": "PSEXESVC", "ImagePath": "%SystemRoot%\\PSEXESVC.exe", "StartType": "demand start"},
    )
    # 02:31 credentials: LSASS memory read by a renamed tool.
    add(
        SYSMON,
        10,
        second,
        night + dt.timedelta(minutes=21),
        {
            "SourceImage": "C:\\Users\\Public\\svc.exe",
            "TargetImage": "C:\\Windows\\system32\\lsass.exe",
            "GrantedAccess": "0x1010",
        },
    )
    # 03:05 the security log is cleared, then backups and snapshots are destroyed.
    add(
        "Security",
        1102,
        second,
        night + dt.timedelta(minutes=55),
        {"SubjectUserName": "adm-maint"},
        provider="Microsoft-Windows-Eventlog",
    )
    add(
        SYSMON,
        1,
        victim,
        night + dt.timedelta(minutes=70),
        {
            "Image": "C:\\Windows\\System32\\wbadmin.exe",
            "OriginalFileName": "WBADMIN.EXE",
            "CommandLine": "wbadmin delete catalog -quiet",
            "User": "CHU\\adm-maint",
        },
    )
    add(
        SYSMON,
        1,
        victim,
        night + dt.timedelta(minutes=71),
        {
            "Image": "C:\\Windows\\System32\\vssadmin.exe",
            "OriginalFileName": "VSSADMIN.EXE",
            "CommandLine": "vssadmin.exe delete shadows /all /quiet",
            "User": "CHU\\adm-maint",
        },
    )
    add(
        SYSMON,
        1,
        first,
        night + dt.timedelta(minutes=73),
        {
            "Image": "C:\\Windows\\System32\\vssadmin.exe",
            "OriginalFileName": "VSSADMIN.EXE",
            "CommandLine": "vssadmin delete shadows /for=D: /quiet",
            "User": "CHU\\adm-maint",
        },
    )
    return events


def _servers(assets: list[Asset]) -> list[Asset]:
    """Servers of an establishment's inventory (any asset when it lists no server)."""
    servers = [asset for asset in assets if asset.kind in {"server", "virtual", "storage"}]
    return (servers or assets)[:4]


def seed_detection(
    owners: dict[str, Node], assets: dict[str, list[Asset]], handler: Any, progress: Progress, now: dt.datetime
) -> int:
    """Log sources, real hunts with the built-in pack, and a few alerts moved through the workflow; returns alerts."""
    progress.start("Log detection", total=len(DETECTION_ESTABLISHMENTS))
    versions = ensure_builtin_packs(handler)
    if not versions:
        progress.log("No built-in rule pack: the demo log sources are not hunted.")
    total = 0
    for key, suffix in DETECTION_ESTABLISHMENTS:
        node = owners[key]
        servers = _servers(assets.get(key, []))
        hosts = [f"{asset.name.lower()}.{suffix}" for asset in servers]
        while len(hosts) < 2:  # noqa: PLR2004 - the scenario moves between two servers at least
            hosts.append(f"srv-demo-{len(hosts) + 1}.{suffix}")
        source = LogSource.objects.create(
            node=node,
            name=f"Windows servers {node.short_name or node.name}"[:200],
            kind=LogSourceKind.EVTX,
            host_names="\n".join(hosts),
            last_ingested_at=now,
        )
        LogSource.objects.create(
            node=node,
            name=f"Linux Sysmon {node.short_name or node.name}"[:200],
            kind=LogSourceKind.SYSMON_LINUX,
            host_names=f"pacs-linux.{suffix}",
        )
        start = (now - dt.timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
        content = b"\n".join(orjson.dumps(event) for event in demo_events(hosts, start)) + b"\n"
        upload, _created = store_log_file(source, [content], f"{key}-servers-{start:%Y%m%d}.jsonl", user=handler)
        if versions:
            hunt = new_hunt(source, versions[0], [upload], handler)
            try:
                execute_hunt(hunt)
            except HuntFailedError as exc:
                progress.log(f"Demo hunt failed: {exc}")
                continue
            total += _triage(source, handler)
        progress.advance()
    return total


def _triage(source: LogSource, handler: Any) -> int:
    """Move some of the source's alerts through the workflow, as an analyst would; returns its alert count."""
    alerts = list(source.alerts.order_by("timestamp", "id"))
    for index, alert in enumerate(alerts):
        if "rdp" in alert.rule_title.lower() and index % 2 == 0:
            transition(alert, AlertStatus.ACKNOWLEDGED, handler, comment="Maintenance window? Asked the IT team.")
            transition(alert, AlertStatus.FALSE_POSITIVE, handler, comment="Planned maintenance by adm-maint.")
        elif "lsass" in alert.rule_title.lower():
            transition(alert, AlertStatus.ACKNOWLEDGED, handler, comment="Unknown binary in C:\\Users\\Public.")
            transition(
                alert,
                AlertStatus.ESCALATED,
                handler,
                comment="Credential theft confirmed.",
                incident_reference="INC-2026-014",
            )
        elif index % 3 == 1:
            transition(alert, AlertStatus.ACKNOWLEDGED, handler, comment="Being checked.")
    return len(alerts)
