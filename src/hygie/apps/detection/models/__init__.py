"""Log detection on the platform: log sources, their files, Sigma rule packs, hunts and the alerts they raise.

An establishment declares its **log sources** (an EVTX export, Sysmon for Linux, Winlogbeat...),
uploads files to them or lets Hygie watch a server folder. A **hunt** runs the detection engine
over some of those files with one **rule pack version**; every detection becomes an **alert**
(deduplicated: hunting the same file again raises nothing new) that analysts acknowledge, dismiss
as a false positive or escalate to an incident, each step kept in the alert's history.
"""

from hygie.apps.detection.models.alerts import (
    LEVEL_KEYS,
    OPEN_STATUSES,
    TRANSITIONS,
    Alert,
    AlertEvent,
    AlertLevel,
    AlertStatus,
    Hunt,
    HuntStatus,
)
from hygie.apps.detection.models.packs import PackRule, RulePack, RulePackVersion
from hygie.apps.detection.models.sources import (
    MANAGE_WATCHED_FOLDERS,
    LogSource,
    LogSourceKind,
    LogUpload,
    UploadOrigin,
    detection_dir,
    split_names,
)

__all__ = [
    "LEVEL_KEYS",
    "MANAGE_WATCHED_FOLDERS",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Alert",
    "AlertEvent",
    "AlertLevel",
    "AlertStatus",
    "Hunt",
    "HuntStatus",
    "LogSource",
    "LogSourceKind",
    "LogUpload",
    "PackRule",
    "RulePack",
    "RulePackVersion",
    "UploadOrigin",
    "detection_dir",
    "split_names",
]
