"""JSON event flavours mapped to Sigma's Windows field names.

Each line of a JSON-lines file is recognised on its own (files mixing flavours are read right):

* **EVTX JSON** (``{"Event": {"System": ..., "EventData": ...}}``): Sysmon for Linux as forwarded
  in JSON, ``evtx_dump`` output; mapped exactly like EVTX records.
* **Winlogbeat / Elastic ECS** (a ``winlog`` object): ``winlog.channel``, ``winlog.event_id``,
  ``winlog.provider_name``, ``winlog.computer_name``, ``@timestamp``; ``winlog.event_data.*`` and
  ``winlog.user_data.*`` by name; ECS fields (``process.command_line``...) fill the Sigma fields
  the event data lacks (Elastic Agent moves them out of ``event_data``).
* **NXLog** (``EventID`` with ``SourceName``/``EventTime``/``Hostname``): fields at top level.
* **Flat** (any other object, e.g. Zircolite or EvtxECmd-like exports): keys are Sigma fields;
  ``Channel``, ``EventID``/``EventId``, ``Provider_Name``/``Provider``/``SourceName``,
  ``Computer``/``Hostname`` and the first time key found (``SystemTime``, ``TimeCreated``,
  ``@timestamp``, ``timestamp``, ``EventTime``, ``UtcTime``). Nested objects are flattened with
  dotted names (``process.name``).
"""

from __future__ import annotations

from typing import Any

from hygie.engines.detection.readers.evtx import NormalisedEvent, normalise_event, to_event_id

__all__ = ["ECS_TO_SIGMA", "MAX_DEPTH", "flatten", "normalise_json"]

#: ECS field -> Sigma field, used when the Windows event data does not carry that field.
ECS_TO_SIGMA: dict[str, str] = {
    "process.command_line": "CommandLine",
    "process.executable": "Image",
    "process.pid": "ProcessId",
    "process.entity_id": "ProcessGuid",
    "process.working_directory": "CurrentDirectory",
    "process.parent.executable": "ParentImage",
    "process.parent.command_line": "ParentCommandLine",
    "process.parent.pid": "ParentProcessId",
    "process.parent.entity_id": "ParentProcessGuid",
    "process.pe.original_file_name": "OriginalFileName",
    "process.pe.company": "Company",
    "process.pe.description": "Description",
    "process.pe.product": "Product",
    "process.pe.file_version": "FileVersion",
    "file.path": "TargetFilename",
    "dll.path": "ImageLoaded",
    "registry.path": "TargetObject",
    "registry.data.strings": "Details",
    "dns.question.name": "QueryName",
    "source.ip": "SourceIp",
    "source.port": "SourcePort",
    "source.domain": "SourceHostname",
    "destination.ip": "DestinationIp",
    "destination.port": "DestinationPort",
    "destination.domain": "DestinationHostname",
    "network.transport": "Protocol",
    "user.name": "User",
}

#: Nesting levels flattened into dotted names.
MAX_DEPTH = 16
_NXLOG_MARKERS = frozenset({"SourceName", "EventTime", "Hostname", "SourceModuleName"})
#: NXLog System values renamed as the EVTX reader names them (see ``readers.evtx``).
_NXLOG_RENAMES = {
    "ProcessID": "ExecutionProcessID",
    "ThreadID": "ExecutionThreadID",
    "UserID": "SecurityUserID",
    "ProviderGuid": "Provider_Guid",
    "RecordNumber": "EventRecordID",
}
_NXLOG_CORE = frozenset({"EventID", "Channel", "SourceName", "Hostname", "EventTime"})
_FLAT_TIME_KEYS = ("SystemTime", "TimeCreated", "@timestamp", "timestamp", "EventTime", "UtcTime")
_FLAT_KEPT_TIME_KEYS = frozenset({"UtcTime", "@timestamp", "timestamp"})
_FLAT_EVENT_ID_KEYS = ("EventID", "EventId", "event_id")
_FLAT_PROVIDER_KEYS = ("Provider_Name", "Provider", "SourceName")
_FLAT_COMPUTER_KEYS = ("Computer", "Hostname", "ComputerName")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _timestamp(value: Any) -> str | None:
    if isinstance(value, dict):  # {"#attributes": {"SystemTime": ...}} in some exports
        value = value.get("#attributes", {}).get("SystemTime") if isinstance(value.get("#attributes"), dict) else None
    return _text(value)


def flatten(data: dict[str, Any], fields: dict[str, Any], prefix: str = "", depth: int = 0) -> None:
    """Nested objects as dotted names: ``{"process": {"name": "x"}}`` -> ``process.name``.

    Beyond ``MAX_DEPTH`` levels an object stays whole (its JSON text): hostile nesting cannot
    exhaust the stack.
    """
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and "#text" not in value and depth < MAX_DEPTH:
            flatten(value, fields, f"{key}.", depth + 1)
        else:
            fields[key] = value


def _winlogbeat(line: dict[str, Any], winlog: dict[str, Any]) -> NormalisedEvent:
    fields: dict[str, Any] = {}
    for section in ("event_data", "user_data"):
        data = winlog.get(section)
        if isinstance(data, dict):
            fields.update(data)
    ecs: dict[str, Any] = {}
    flatten({key: value for key, value in line.items() if key != "winlog"}, ecs)
    for ecs_name, sigma_name in ECS_TO_SIGMA.items():
        if sigma_name not in fields and ecs.get(ecs_name) is not None:
            fields[sigma_name] = ecs[ecs_name]
    _winlog_system(winlog, fields)
    if line.get("message") is not None:
        fields.setdefault("Message", line["message"])
    event = line.get("event")
    event_code = event.get("code") if isinstance(event, dict) else None
    return (
        _timestamp(line.get("@timestamp")),
        _text(winlog.get("channel")),
        to_event_id(winlog.get("event_id", event_code)),
        _text(winlog.get("provider_name")),
        _text(winlog.get("computer_name") or ecs.get("host.name")),
        None,
        fields,
    )


def _winlog_system(winlog: dict[str, Any], fields: dict[str, Any]) -> None:
    """Winlogbeat's System values, named as the EVTX reader names them."""
    for name, target in (
        ("record_id", "EventRecordID"),
        ("task", "Task"),
        ("opcode", "Opcode"),
        ("keywords", "Keywords"),
    ):
        if winlog.get(name) is not None:
            fields[target] = winlog[name]
    user = winlog.get("user")
    if isinstance(user, dict) and user.get("identifier") is not None:
        fields["SecurityUserID"] = user["identifier"]
    process = winlog.get("process")
    if isinstance(process, dict):
        if process.get("pid") is not None:
            fields["ExecutionProcessID"] = process["pid"]
        thread = process.get("thread")
        if isinstance(thread, dict) and thread.get("id") is not None:
            fields["ExecutionThreadID"] = thread["id"]


def _nxlog(line: dict[str, Any]) -> NormalisedEvent:
    fields: dict[str, Any] = {}
    for name, value in line.items():
        if name not in _NXLOG_CORE:
            fields[_NXLOG_RENAMES.get(name, name)] = value
    return (
        _timestamp(line.get("EventTime")),
        _text(line.get("Channel")),
        to_event_id(line.get("EventID")),
        _text(line.get("SourceName") or line.get("ProviderName")),
        _text(line.get("Hostname")),
        None,
        fields,
    )


def _pop_first(fields: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in fields:
            return fields.pop(key)
    return None


def _flat(line: dict[str, Any]) -> NormalisedEvent:
    if dict in set(map(type, line.values())):
        fields: dict[str, Any] = {}
        flatten(line, fields)
    else:
        fields = line  # the parsed line is ours: no copy
    timestamp = None
    for key in _FLAT_TIME_KEYS:
        if key in fields:
            # SystemTime & co. are System values; UtcTime and the like are payload fields rules may read.
            timestamp = fields[key] if key in _FLAT_KEPT_TIME_KEYS else fields.pop(key)
            break
    return (
        _timestamp(timestamp),
        _text(fields.pop("Channel", None)),
        to_event_id(_pop_first(fields, _FLAT_EVENT_ID_KEYS)),
        _text(_pop_first(fields, _FLAT_PROVIDER_KEYS)),
        _text(_pop_first(fields, _FLAT_COMPUTER_KEYS)),
        None,
        fields,
    )


def normalise_json(line: dict[str, Any]) -> NormalisedEvent:
    """One parsed JSON object, whatever its flavour, as a normalised event."""
    event = line.get("Event")
    if isinstance(event, dict) and "System" in event:
        return normalise_event(event)
    if "System" in line and isinstance(line["System"], dict):
        return normalise_event(line)
    winlog = line.get("winlog")
    if isinstance(winlog, dict):
        return _winlogbeat(line, winlog)
    if "EventID" in line and not _NXLOG_MARKERS.isdisjoint(line):
        return _nxlog(line)
    return _flat(line)
