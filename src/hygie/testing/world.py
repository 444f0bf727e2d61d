"""One object of every kind in each of the two tenants, named so that leaks are easy to spot.

``build_world`` extends ``build_tenants``: for each kind of tenant data (node, asset, finding...)
it creates an object owned below group A and one owned below group B. Every name of tenant A
contains ``MARK_A`` and every name of tenant B contains ``MARK_B``: a page or an export that a
user of group A receives must contain the first (it shows data) and never the second (a leak).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone

from hygie.apps.accounts.models import AuditEvent, RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.jobs.models import Job, JobStatus
from hygie.apps.jobs.outputs import output_dir
from hygie.apps.organizations.models import Node, NodeKind
from hygie.testing.tenants import PASSWORD, Tenants, build_tenants
from hygie.testing.world_awareness import AWARENESS_KINDS, awareness_objects
from hygie.testing.world_budget import BUDGET_KINDS, budget_objects
from hygie.testing.world_compliance import COMPLIANCE_KINDS, compliance_objects
from hygie.testing.world_continuity import CONTINUITY_KINDS, continuity_objects
from hygie.testing.world_incidents import INCIDENT_KINDS, incident_objects

__all__ = ["KINDS", "MARK_A", "MARK_B", "World", "build_world", "database_fingerprint"]

#: In every name of tenant A's objects: pages shown to group A must contain it.
MARK_A = "zqmarka"
#: In every name of tenant B's objects: nothing shown to group A may contain it.
MARK_B = "zqleakb"

SIDES = ("a", "b")

#: Kind of world object for each model label: the vocabulary of route specs and foreign-id tests.
KINDS: dict[str, str] = {
    "organizations.Node": "node",
    "inventory.Asset": "asset",
    "inventory.Application": "application",
    "inventory.CareActivity": "careactivity",
    "findings.Finding": "finding",
    "jobs.Job": "job",
    "directory.DirectoryAudit": "directoryaudit",
    "directory.DirectoryCredential": "directorycredential",
    "exposure.ExposurePerimeter": "exposureperimeter",
    "exposure.ExposureScan": "exposurescan",
    "detection.LogSource": "logsource",
    "detection.RulePack": "rulepack",
    "detection.RulePackVersion": "rulepackversion",
    "detection.Hunt": "hunt",
    "detection.Alert": "alert",
    **CONTINUITY_KINDS,
    **COMPLIANCE_KINDS,
    **BUDGET_KINDS,
    **AWARENESS_KINDS,
    **INCIDENT_KINDS,
    "accounts.RoleAssignment": "roleassignment",
    "accounts.AuditEvent": "auditevent",
    "accounts.User": "user",
}


@dataclass
class World:
    """The two tenants and, per kind of object, the pair (object of A, object of B)."""

    tenants: Tenants
    objects: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def get(self, kind: str, side: str = "a") -> Any:
        """The object of ``kind`` owned by tenant ``side`` ("a" or "b")."""
        try:
            pair = self.objects[kind]
        except KeyError:
            msg = f"The world holds no {kind!r}; add it to hygie.testing.world.build_world."
            raise KeyError(msg) from None
        return pair[SIDES.index(side)]

    def pk(self, kind: str, side: str = "a") -> int:
        """Primary key of ``get(kind, side)``."""
        return int(self.get(kind, side).pk)

    def user(self, role: str) -> Any:
        """The user holding ``role`` on group A."""
        return self.tenants.users[role]


def _node(group: Node, mark: str) -> Node:
    return Node.objects.create(kind=NodeKind.ESTABLISHMENT, name=f"Clinique {mark}", parent=group, city="Lyon")


def build_world() -> World:
    """Create the tenants and one object of every kind on each side (inside the caller's transaction)."""
    tenants = build_tenants()
    world = World(tenants)
    nodes = (_node(tenants.group_a, MARK_A), _node(tenants.group_b, MARK_B))
    world.objects["node"] = nodes
    assets = tuple(
        Asset.objects.create(node=node, name=f"srv-{mark}", kind="server", ip_addresses=["10.0.0.1"],
                             vendor="Vendor", product="Product", version="1.0")
        for node, mark in zip(nodes, (MARK_A, MARK_B), strict=True)
    )
    world.objects["asset"] = assets
    applications = []
    for node, mark, asset in zip(nodes, (MARK_A, MARK_B), assets, strict=True):
        application = Application.objects.create(node=node, name=f"DPI {mark}", category="patient_record")
        application.assets.add(asset)
        applications.append(application)
    world.objects["application"] = (applications[0], applications[1])
    activities = []
    for node, mark, application in zip(nodes, (MARK_A, MARK_B), applications, strict=True):
        activity = CareActivity.objects.create(node=node, name=f"Urgences {mark}", max_downtime_hours=4)
        activity.applications.add(application)
        activities.append(activity)
    world.objects["careactivity"] = (activities[0], activities[1])
    members = []
    for group, mark in ((tenants.group_a, MARK_A), (tenants.group_b, MARK_B)):
        member = User.objects.create_user(username=f"{mark}_user", password=PASSWORD)
        RoleAssignment.objects.create(user=member, node=group, role=Role.VIEWER)
        members.append(member)
    world.objects["user"] = (members[0], members[1])
    world.objects["roleassignment"] = tuple(  # type: ignore[assignment]
        RoleAssignment.objects.get(user=member) for member in members
    )
    world.objects["finding"] = tuple(  # type: ignore[assignment]
        Finding.objects.create(
            node=node, asset=asset, source="manual", check_id="manual.weak_password", fingerprint=mark,
            title=f"Weak password {mark}", severity=4, owner=member,
        )
        for node, asset, mark, member in zip(nodes, assets, (MARK_A, MARK_B), members, strict=True)
    )
    world.objects["job"] = tuple(  # type: ignore[assignment]
        Job.objects.create(node=node, kind="findings.export", label=f"Export {mark}", status=JobStatus.SUCCEEDED,
                           result={"file": _job_output(mark), "rows": 1})
        for node, mark in zip(nodes, (MARK_A, MARK_B), strict=True)
    )
    _directory(world, nodes)
    _exposure(world, nodes)
    _detection(world, nodes, assets)
    world.objects.update(continuity_objects(nodes, (MARK_A, MARK_B), world.objects["application"],
                                            world.objects["careactivity"]))
    world.objects.update(compliance_objects(nodes, (MARK_A, MARK_B), world.objects["finding"]))
    world.objects.update(budget_objects(nodes, (MARK_A, MARK_B)))
    world.objects.update(awareness_objects(nodes, (MARK_A, MARK_B)))
    world.objects.update(incident_objects(nodes, (MARK_A, MARK_B), world.objects["user"],
                                          world.objects["careactivity"]))
    world.objects["auditevent"] = tuple(  # type: ignore[assignment]
        AuditEvent.objects.filter(object_type="organizations.Node", object_id=str(node.pk)).get()
        for node in nodes
    )
    return world


def _directory(world: World, nodes: tuple[Node, Node]) -> None:
    """A finished directory audit and a stored credential on each side."""
    from hygie.apps.directory.models import AuditSource, AuditStatus, DirectoryAudit, DirectoryCredential

    audits, credentials = [], []
    for node, mark in zip(nodes, (MARK_A, MARK_B), strict=True):
        finding = {"check_id": "directory.user_unconstrained_delegation", "title": f"Delegation {mark}",
                   "severity": "high", "anssi": ["vuln_delegation_t4d"],
                   "objects": [{"kind": "User", "name": f"SVC-{mark}@{mark}.LOCAL", "identifier": f"S-1-{mark}"}]}
        audits.append(DirectoryAudit.objects.create(
            node=node, domain=f"{mark}.LOCAL", domains=[f"{mark}.LOCAL"], source=AuditSource.UPLOAD,
            label=f"{mark}.zip", status=AuditStatus.SUCCEEDED, level=1, score=60, finding_count=1,
            categories={"anomalies": 60}, counts={"high": 1}, collected=timezone.now(),
            result={"level": 1, "score": 60, "categories": {"anomalies": 60}, "findings": [finding],
                    "not_evaluated": []}))
        credential = DirectoryCredential(node=node, label=f"DC {mark}", url=f"ldaps://dc.{mark}.local",
                                         bind_user=f"audit-{mark}")
        credential.set_password(f"pw-{mark}")
        credential.save()
        credentials.append(credential)
    world.objects["directoryaudit"] = (audits[0], audits[1])
    world.objects["directorycredential"] = (credentials[0], credentials[1])


def _exposure(world: World, nodes: tuple[Node, Node]) -> None:
    """A declared perimeter and a finished scan of it on each side."""
    import datetime as dt

    from hygie.apps.exposure.models import ExposurePerimeter, ExposureScan, ScanStatus

    perimeters, scans = [], []
    for node, mark in zip(nodes, (MARK_A, MARK_B), strict=True):
        perimeter = ExposurePerimeter.objects.create(
            node=node, name=f"Internet {mark}", entries=f"192.0.2.0/24\n*.{mark}.example", authorised_by=f"CISO {mark}",
            valid_until=timezone.now() + dt.timedelta(days=365))
        perimeters.append(perimeter)
        finding = {"check_id": "exposure.service_remote_access", "title": f"RDP {mark}", "severity": "high",
                   "affected": [{"kind": "service", "name": f"192.0.2.9:3389/tcp {mark}", "identifier": ""}],
                   "evidence": {}, "remediation": "", "references": [], "target": f"192.0.2.9:3389/tcp {mark}"}
        result = {"format_version": 1, "source": "scan", "started_at": timezone.now().isoformat(),
                  "finished_at": timezone.now().isoformat(), "ports": [3389], "score": 40,
                  "hosts": [{"address": "192.0.2.9", "names": [f"ts.{mark}.example"],
                             "services": [{"port": 3389, "protocol": "tcp", "name": "rdp",
                                           "category": "remote_access"}]}],
                  "domains": [], "findings": [finding], "refused": [], "stats": {}, "warnings": []}
        scans.append(ExposureScan.objects.create(
            node=node, perimeter=perimeter, perimeter_snapshot=perimeter.snapshot(), label=f"Internet {mark}",
            status=ScanStatus.DONE, scanned_at=timezone.now(), score=40, host_count=1, service_count=1,
            finding_count=1, counts={"high": 1}, result=result))
    world.objects["exposureperimeter"] = (perimeters[0], perimeters[1])
    world.objects["exposurescan"] = (scans[0], scans[1])


def _detection(world: World, nodes: tuple[Node, Node], assets: tuple[Any, ...]) -> None:
    """A log source with one file, a rule pack with an active version, a finished hunt and its alert per side."""
    from hygie.apps.detection.models import (
        Alert,
        Hunt,
        HuntStatus,
        LogSource,
        LogUpload,
        PackRule,
        RulePack,
        RulePackVersion,
    )

    made: dict[str, list[Any]] = {"logsource": [], "rulepack": [], "rulepackversion": [], "hunt": [], "alert": []}
    for node, mark, asset in zip(nodes, (MARK_A, MARK_B), assets, strict=True):
        source = LogSource.objects.create(node=node, name=f"Sysmon {mark}", host_names=f"srv-{mark}")
        upload = LogUpload.objects.create(node=node, source=source, name=f"{mark}.jsonl", sha256=mark.ljust(64, "0"),
                                          size=10, suffix=".jsonl")
        pack = RulePack.objects.create(node=node, name=f"Rules {mark}", description=f"Rules of {mark}")
        version = RulePackVersion.objects.create(pack=pack, number=1, digest=f"world-{mark}",
                                                 archive_sha256=f"world-{mark}", source_name=f"{mark}.zip",
                                                 rule_count=1, active=True)
        PackRule.objects.create(version=version, rule_id=f"rule-{mark}", title=f"LSASS access {mark}", level=4,
                                tags=["attack.credential_access", "attack.t1003.001"])
        hunt = Hunt.objects.create(node=node, source=source, pack_version=version, status=HuntStatus.DONE, events=1,
                                   detection_count=1, new_alert_count=1)
        hunt.uploads.add(upload)
        alert = Alert.objects.create(
            node=node, source=source, hunt=hunt, asset=asset, rule_id=f"rule-{mark}", rule_title=f"LSASS access {mark}",
            level=4, tags=["attack.credential_access", "attack.t1003.001"], timestamp=timezone.now(),
            computer=f"srv-{mark}", channel="Microsoft-Windows-Sysmon/Operational", event_id=10, record_id=1,
            file_sha256=upload.sha256, event={"TargetImage": "C:\\Windows\\System32\\lsass.exe"})
        for kind, obj in (("logsource", source), ("rulepack", pack), ("rulepackversion", version), ("hunt", hunt),
                          ("alert", alert)):
            made[kind].append(obj)
    for kind, pair in made.items():
        world.objects[kind] = (pair[0], pair[1])


def _job_output(mark: str) -> str:
    """A job output file of the world (the same content every time: tests may run in parallel)."""
    directory = output_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"world-{mark}.csv"
    (directory / name).write_text(f"title\nWeak password {mark}\n", encoding="utf-8")
    return name


def database_fingerprint() -> dict[str, int]:
    """Row counts of every Hygie model: a refused request must leave them all unchanged.

    Every change to an audited model also writes an audit event, so counting the audit log
    catches updates as well as creations and deletions.
    """
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("hygie.")
    }
