"""Helpers of the detection app's tests: small Sigma rules and JSON-lines event files written by the tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hygie.apps.detection.models import LogSource, RulePack, RulePackVersion
from hygie.apps.detection.packs import add_version

SYSMON = "Microsoft-Windows-Sysmon/Operational"

RULES = {
    "vss.yml": """title: Shadow copies deleted with vssadmin
id: 6b2c1f9e-0d7a-4c55-9a55-3f3e8f0b1a01
description: vssadmin deletes the volume shadow copies, as ransomware does before encrypting.
references:
  - https://attack.mitre.org/techniques/T1490/
tags:
  - attack.impact
  - attack.t1490
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\vssadmin.exe'
    CommandLine|contains|all:
      - 'delete'
      - 'shadows'
  condition: selection
level: high
""",
    "rdp.yml": """title: RDP logon between servers
id: 6b2c1f9e-0d7a-4c55-9a55-3f3e8f0b1a02
description: A remote interactive logon (type 10).
tags:
  - attack.lateral_movement
  - attack.t1021.001
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4624
    LogonType: 10
  condition: selection
level: medium
""",
    "lsass.yml": """title: LSASS memory access
id: 6b2c1f9e-0d7a-4c55-9a55-3f3e8f0b1a03
description: A process opened lsass.exe memory.
tags:
  - attack.credential_access
  - attack.t1003.001
logsource:
  category: process_access
  product: windows
detection:
  selection:
    TargetImage|endswith: '\\lsass.exe'
    GrantedAccess: '0x1010'
  condition: selection
level: critical
""",
}
BROKEN_RULE = "title: Broken\nid: x\nlogsource: {product: windows}\ndetection: {condition: nothing}\n"


def write_rules(folder: Path, *, broken: bool = False, extra: dict[str, str] | None = None) -> Path:
    """A folder of the test rules (plus a broken one, or more rules)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**RULES, **(extra or {})}.items():
        (folder / name).write_text(text, encoding="utf-8")
    if broken:
        (folder / "broken.yml").write_text(BROKEN_RULE, encoding="utf-8")
    return folder


def event(  # noqa: PLR0917 - the fields of an event header, in their order
    record: int, channel: str, event_id: int, computer: str, when: str, data: dict[str, str]
) -> dict[str, Any]:
    """One event in the EVTX JSON form."""
    return {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Test"}},
                "EventID": event_id,
                "TimeCreated": {"#attributes": {"SystemTime": when}},
                "EventRecordID": record,
                "Channel": channel,
                "Computer": computer,
            },
            "EventData": data,
        }
    }


def attack_events(host: str = "SRV-FILE01.hopital-a.local") -> list[dict[str, Any]]:
    """Three events the rules match (on ``host``, srv-app02, srv-dc01) and one they do not."""
    return [
        event(
            1,
            SYSMON,
            1,
            host,
            "2026-11-20T03:12:00Z",
            {"Image": "C:\\Windows\\System32\\vssadmin.exe", "CommandLine": "vssadmin.exe delete shadows /all"},
        ),
        event(
            2,
            "Security",
            4624,
            "srv-app02",
            "2026-11-20T03:00:00Z",
            {"LogonType": "10", "TargetUserName": "admin", "IpAddress": "10.1.2.3"},
        ),
        event(
            3,
            SYSMON,
            10,
            "srv-dc01",
            "2026-11-20T02:00:00Z",
            {
                "SourceImage": "C:\\tmp\\x.exe",
                "TargetImage": "C:\\Windows\\system32\\lsass.exe",
                "GrantedAccess": "0x1010",
            },
        ),
        event(
            4, SYSMON, 1, "ws1", "2026-11-20T02:30:00Z", {"Image": "C:\\Windows\\notepad.exe", "CommandLine": "notepad"}
        ),
    ]


def jsonl(events: list[dict[str, Any]]) -> bytes:
    """The events as JSON lines."""
    return "".join(json.dumps(e) + "\n" for e in events).encode()


def pack_version(tmp_path: Path, node: Any = None, name: str = "test rules") -> RulePackVersion:
    """An active version of a pack of the test rules (global when ``node`` is None)."""
    pack = RulePack.objects.create(node=node, name=name)
    version, _created = add_version(pack, write_rules(tmp_path / f"rules-{name.replace(' ', '-')}"), None)
    return version


def source(node: Any, name: str = "Sysmon servers") -> LogSource:
    """A log source of ``node``."""
    return LogSource.objects.create(node=node, name=name, host_names="srv-file01\nsrv-app02")


def when(text: str) -> dt.datetime:
    """An aware datetime from ISO text."""
    return dt.datetime.fromisoformat(text)
