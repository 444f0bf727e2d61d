"""Incident response and crisis management on the platform.

An **incident** is handled by a node (the establishment, or its group when several are hit). It
lists what it touches (establishments, sites, assets, applications, care activities), its
indicators of compromise, linked detections and findings, tasks and evidence files, and keeps a
**crisis log** that is append-only. Its **regulatory clocks** are computed from the rules of
:mod:`hygie.engines.incidents` and the node's **regulatory profile**; what was done is an
**obligation record**, and the pre-filled **declarations** are kept as generated and marked sent.
A node's **crisis cell** (members reachable out of band, duty rota, communication templates) goes
into the **offline crisis kit**. See docs/user-guide/incidents.md.
"""

from hygie.apps.incidents.models.crisis import (
    EXTERNAL_ROLES,
    Audience,
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    CrisisRole,
    DutyShift,
    Insured,
    KitTrigger,
    Nis2Status,
    RegulatoryProfile,
)
from hygie.apps.incidents.models.incidents import (
    FUTURE_TOLERANCE,
    MALICIOUS_KINDS,
    Incident,
    IncidentEvidence,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Indicator,
    IndicatorKind,
    TaskKind,
    TaskStatus,
    not_in_future,
)
from hygie.apps.incidents.models.log import APPEND_ONLY, LogEntry, LogEntryKind
from hygie.apps.incidents.models.obligations import Declaration, DeclarationKind, ObligationRecord

__all__ = [
    "APPEND_ONLY",
    "EXTERNAL_ROLES",
    "FUTURE_TOLERANCE",
    "MALICIOUS_KINDS",
    "Audience",
    "CommunicationTemplate",
    "CrisisCell",
    "CrisisKit",
    "CrisisMember",
    "CrisisRole",
    "Declaration",
    "DeclarationKind",
    "DutyShift",
    "Incident",
    "IncidentEvidence",
    "IncidentKind",
    "IncidentStatus",
    "IncidentTask",
    "Indicator",
    "IndicatorKind",
    "Insured",
    "KitTrigger",
    "LogEntry",
    "LogEntryKind",
    "Nis2Status",
    "ObligationRecord",
    "RegulatoryProfile",
    "TaskKind",
    "TaskStatus",
    "not_in_future",
]
