"""The incident-response objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["INCIDENT_KINDS", "incident_objects"]

#: Kind of world object for each incidents model label.
INCIDENT_KINDS: dict[str, str] = {
    "incidents.RegulatoryProfile": "regulatoryprofile",
    "incidents.CrisisCell": "crisiscell",
    "incidents.CrisisMember": "crisismember",
    "incidents.DutyShift": "dutyshift",
    "incidents.CommunicationTemplate": "communicationtemplate",
    "incidents.CrisisKit": "crisiskit",
    "incidents.Incident": "incident",
    "incidents.Indicator": "indicator",
    "incidents.IncidentTask": "incidenttask",
    "incidents.IncidentEvidence": "incidentevidence",
    "incidents.LogEntry": "logentry",
    "incidents.ObligationRecord": "obligationrecord",
    "incidents.Declaration": "declaration",
}


def incident_objects(nodes: tuple[Node, Node], marks: tuple[str, str], users: tuple[Any, Any],
                     activities: tuple[Any, Any]) -> dict[str, tuple[Any, Any]]:
    """Per side: a profile, a crisis cell with a member on duty and a template, an incident with one of each."""
    from django.utils import timezone

    from hygie.apps.incidents import evidence_store
    from hygie.apps.incidents.models import (
        Audience,
        CommunicationTemplate,
        CrisisCell,
        CrisisKit,
        CrisisMember,
        CrisisRole,
        Declaration,
        DeclarationKind,
        DutyShift,
        Incident,
        IncidentKind,
        IncidentTask,
        Indicator,
        IndicatorKind,
        Insured,
        LogEntry,
        LogEntryKind,
        Nis2Status,
        ObligationRecord,
        RegulatoryProfile,
    )

    now = timezone.now()
    made: dict[str, list[Any]] = {kind: [] for kind in INCIDENT_KINDS.values()}
    for node, mark, user, activity in zip(nodes, marks, users, activities, strict=True):
        aware = now - dt.timedelta(hours=30)
        objects = {
            "regulatoryprofile": RegulatoryProfile.objects.create(
                node=node, nis2_status=Nis2Status.ESSENTIAL, insured=Insured.YES, insurer=f"Insurer {mark}",
                insurer_notice_hours=48),
            "crisiscell": CrisisCell.objects.create(node=node, meeting_place=f"Room {mark}",
                                                    plan_blanc_url=f"https://intranet.example/{mark}"),
            "communicationtemplate": CommunicationTemplate.objects.create(
                node=node, audience=Audience.STAFF, title=f"Staff notice {mark}",
                body=f"IT is down at {{establishment}} ({mark})."),
        }
        member = CrisisMember.objects.create(node=node, role=CrisisRole.CISO, name=f"Ciso {mark}",
                                             mobile="+33 6 00 00 00 00", personal_email=f"{mark}@home.example")
        objects["crisismember"] = member
        objects["dutyshift"] = DutyShift.objects.create(member=member, starts_at=now - dt.timedelta(days=1),
                                                        ends_at=now + dt.timedelta(days=6))
        objects["crisiskit"] = CrisisKit.objects.create(node=node, html_sha256=f"{mark}".ljust(64, "0"),
                                                        html_size=10, summary={"members": 1})
        incident = Incident.objects.create(node=node, reference=f"INC-{mark}", title=f"Ransomware {mark}",
                                           kind=IncidentKind.RANSOMWARE, aware_at=aware, created_by=user)
        incident.establishments.add(node)
        incident.activities.add(activity)
        objects["incident"] = incident
        objects["indicator"] = Indicator.objects.create(incident=incident, kind=IndicatorKind.DOMAIN,
                                                        value=f"{mark}.evil.example")
        objects["incidenttask"] = IncidentTask.objects.create(incident=incident, title=f"Isolate backups {mark}",
                                                              owner=user)
        objects["incidentevidence"] = evidence_store.store_bytes(
            incident, title=f"Ransom note {mark}", name=f"{mark}.txt",
            data=f"Your files are encrypted {mark}".encode(), user=user)
        entry = LogEntry.objects.create(incident=incident, kind=LogEntryKind.DECISION, occurred_at=aware,
                                        text=f"Crisis cell convened {mark}", author=user, author_name=f"{mark}")
        objects["logentry"] = entry
        objects["obligationrecord"] = ObligationRecord.objects.create(
            incident=incident, obligation="cert_sante", done_at=aware + dt.timedelta(hours=2),
            reference=f"CS-{mark}")
        objects["declaration"] = Declaration.objects.create(
            incident=incident, kind=DeclarationKind.CERT_SANTE, content={"title": f"Ransomware {mark}"},
            text=f"Declaration {mark}")
        for kind, obj in objects.items():
            made[kind].append(obj)
    return {kind: (pair[0], pair[1]) for kind, pair in made.items()}
