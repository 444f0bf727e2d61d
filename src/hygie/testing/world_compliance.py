"""The compliance objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["COMPLIANCE_KINDS", "compliance_objects"]

#: Kind of world object for each compliance model label.
COMPLIANCE_KINDS: dict[str, str] = {
    "compliance.Framework": "framework",
    "compliance.Assessment": "assessment",
    "compliance.RequirementAssessment": "requirementassessment",
    "compliance.Evidence": "evidence",
}

#: A small framework in our format, imported by each side (an imported framework belongs to its node).
def _document(mark: str) -> dict[str, Any]:
    return {
        "id": f"local_{mark}",
        "name": f"Local policy {mark}",
        "version": "1",
        "source": {"reference": f"Policy of {mark}"},
        "sections": [{"id": "gov", "title": f"Governance {mark}"}],
        "requirements": [
            {"id": "gov.1", "section": "gov", "title": f"Named CISO {mark}"},
            {"id": "gov.2", "section": "gov", "title": f"Directory audited {mark}",
             "checks": ["directory.user_unconstrained_delegation"]},
        ],
    }


def compliance_objects(
    nodes: tuple[Node, Node], marks: tuple[str, str], findings: tuple[Any, Any]
) -> dict[str, tuple[Any, Any]]:
    """Per side: an imported framework, an assessment of the node, a status, a file and a finding as evidence."""
    from hygie.apps.compliance.evidence_files import store_evidence_file
    from hygie.apps.compliance.models import (
        Assessment,
        Evidence,
        EvidenceKind,
        Framework,
        FrameworkOrigin,
        FrameworkRequirement,
        FrameworkSection,
        Measure,
        RequirementAssessment,
        Status,
    )

    made: dict[str, list[Any]] = {kind: [] for kind in COMPLIANCE_KINDS.values()}
    for node, mark, finding in zip(nodes, marks, findings, strict=True):
        document = _document(mark)
        framework = Framework.objects.create(
            key=document["id"], name=document["name"], version="1", digest=mark.ljust(64, "0"), document=document,
            origin=FrameworkOrigin.IMPORTED, node=node,
        )
        section = FrameworkSection.objects.create(framework=framework, ref="gov", title=f"Governance {mark}")
        requirements = [
            FrameworkRequirement.objects.create(framework=framework, section=section, ref=item["id"],
                                                title=item["title"], checks=item.get("checks", []), order=order)
            for order, item in enumerate(document["requirements"])
        ]
        assessment = Assessment.objects.create(node=node, framework=framework, scope=f"Scope {mark}")
        items = [RequirementAssessment.objects.create(assessment=assessment, requirement=requirement)
                 for requirement in requirements]
        items[0].status = Status.PARTIAL
        items[0].comment = f"Comment {mark}"
        # A measure no one confirmed yet: the "confirm" routes have something to confirm.
        items[0].measure = Measure.MIXED
        items[0].save()
        stored = store_evidence_file([f"Signed policy of {mark}\n".encode()], f"policy-{mark}.txt")
        evidence = Evidence.objects.create(
            item=items[0], kind=EvidenceKind.FILE, title=f"Evidence {mark}", file_name=stored.name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
        )
        Evidence.objects.create(item=items[0], kind=EvidenceKind.FINDING, title=f"Finding {mark}", finding=finding)
        for kind, obj in (("framework", framework), ("assessment", assessment), ("requirementassessment", items[0]),
                          ("evidence", evidence)):
            made[kind].append(obj)
    return {kind: (pair[0], pair[1]) for kind, pair in made.items()}
