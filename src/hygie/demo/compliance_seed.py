"""The demo group's compliance data (see docs/user-guide/compliance.md).

Every establishment and the group are assessed against CaRE domains 1 and 2; the group also
against ANSSI AD and NIS2 article 21. Measures come from the demo's directory audits, exposure
scans and continuity model (seeded before); part of them are confirmed, other statuses are set by
hand with owners, due dates and comments, one requirement is not applicable with its reason, and
a few pieces of evidence are attached (a generated PDF, a text file, links to an exercise, a
directory audit and a finding). Everything goes through the services, as a person would.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.apps.compliance.catalogue import sync_shipped
from hygie.apps.compliance.models import Assessment, RequirementAssessment, Status
from hygie.apps.compliance.services import (
    add_file_evidence,
    add_link_evidence,
    confirm_measure,
    open_assessment,
    set_status,
)
from hygie.demo.establishments import ESTABLISHMENTS

if TYPE_CHECKING:
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["ESTABLISHMENT_FRAMEWORKS", "GROUP_FRAMEWORKS", "minimal_pdf", "seed_compliance"]

ESTABLISHMENT_FRAMEWORKS = ("care_d1", "care_d2")
GROUP_FRAMEWORKS = ("care_d1", "care_d2", "anssi_ad", "nis2_art21")

#: Statuses set by hand on requirements no engine measures, in turn (deterministic demo).
_HAND_STATUSES = (Status.MET, Status.PARTIAL, Status.MET, Status.NOT_MET, Status.NOT_ASSESSED, Status.PARTIAL)
_COMMENTS = {
    Status.PARTIAL: "Démarche engagée, formalisation en cours.",
    Status.NOT_MET: "Non traité à ce jour : inscrit au plan d'action CaRE.",
    Status.MET: "Vérifié en comité de sécurité.",
}


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), written by hand: the demo needs no renderer for it."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _fill(assessment: Assessment, owners: tuple[User, User], now: dt.datetime) -> None:
    """Confirm two measures in three; set the unmeasured requirements by hand, with owners and due dates."""
    items = list(
        RequirementAssessment.objects.filter(assessment=assessment)
        .select_related("requirement")
        .order_by("requirement__order")
    )
    manager, analyst = owners
    hand = 0
    for index, item in enumerate(items):
        if item.measure:
            if index % 3 != 2:  # noqa: PLR2004 - one measure in three left for the CISO to review
                confirm_measure(item, analyst)
            continue
        status = _HAND_STATUSES[(hand + assessment.node_id) % len(_HAND_STATUSES)]
        hand += 1
        if status == Status.NOT_ASSESSED:
            continue
        gap = status in {Status.PARTIAL, Status.NOT_MET}
        set_status(
            item,
            manager,
            status=status,
            owner=analyst if index % 2 else manager,
            due_date=(now + dt.timedelta(days=30 + 15 * (index % 8))).date() if gap else None,
            comment=_COMMENTS[status] if index % 2 == 0 else "",
        )


def _item(assessment: Assessment, ref: str) -> RequirementAssessment | None:
    return RequirementAssessment.objects.filter(assessment=assessment, requirement__ref=ref).first()


def _evidence(group_assessments: dict[str, Assessment], group: Node, manager: User, now: dt.datetime) -> None:
    """A PDF, a text file and links to an exercise, a directory audit and a finding of the group's branch."""
    from hygie.apps.continuity.models import Exercise
    from hygie.apps.directory.models import AuditStatus, DirectoryAudit
    from hygie.apps.findings.models import Finding

    care_d2, care_d1 = group_assessments["care_d2"], group_assessments["care_d1"]
    policy = _item(care_d2, "d2.o2.a")
    if policy is not None:
        pdf = minimal_pdf(f"Politique de sauvegarde et de restauration du GHT - validee le {now:%d/%m/%Y}")
        add_file_evidence(policy, manager, SimpleUploadedFile("politique-sauvegarde.pdf", pdf),
                          "Politique de sauvegarde validée en COPIL", note="Version signée par la direction.")
    governance = _item(group_assessments["nis2_art21"], "art21.2.a")
    if governance is not None:
        minutes = "Comité de sécurité du GHT\nOrdre du jour : analyse de risques, plan CaRE, exercices.\n"
        add_file_evidence(governance, manager, SimpleUploadedFile("cr-comite-securite.txt", minutes.encode()),
                          "Compte rendu du comité de sécurité")
    exercise = Exercise.objects.filter(node__path__startswith=group.path).order_by("-planned_on").first()
    field_test = _item(care_d2, "d2.o1.d")
    if exercise is not None and field_test is not None:
        add_link_evidence(field_test, manager, exercise=exercise, note="Exercice de crise avec retour d'expérience.")
    audit = (DirectoryAudit.objects.filter(node__path__startswith=group.path, status=AuditStatus.SUCCEEDED)
             .order_by("-finished").first())
    directory = next((item for item in RequirementAssessment.objects.filter(assessment=care_d1)
                      .select_related("requirement").order_by("requirement__order")
                      if any(check.startswith("directory.") for check in item.requirement.checks)), None)
    if audit is not None and directory is not None:
        add_link_evidence(directory, manager, directory_audit=audit, title="Audit ADS de l'annuaire du GHT")
    finding = Finding.objects.filter(node__path__startswith=group.path, source="exposure").order_by("-severity").first()
    exposure = _item(care_d1, "d1.ex2")
    if finding is not None and exposure is not None:
        add_link_evidence(exposure, manager, finding=finding, note="Service exposé à fermer (plan d'action).")
        add_link_evidence(exposure, manager, title="Procédure de publication des services",
                          url="https://intranet.ght-demo.invalid/securite/publication-services")


def seed_compliance(owners: dict[str, Node], users: dict[str, User], progress: Progress, now: dt.datetime) -> None:
    """Write the demo's compliance data through the services."""
    frameworks = {stored.key: stored for stored in sync_shipped()}
    group = owners["group"]
    plan: list[tuple[Node, str, tuple[Any, Any]]] = []
    group_team = (users["demo.manager"], users["demo.analyst"])
    for spec in ESTABLISHMENTS:
        local_manager = users.get(f"demo.manager.{spec.prefix.lower()}", group_team[0])
        # The clinic is outside the group: only its own manager has a role there.
        team = (local_manager, group_team[1] if spec.in_group else local_manager)
        plan += [(owners[spec.key], key, team) for key in ESTABLISHMENT_FRAMEWORKS]
    plan += [(group, key, group_team) for key in GROUP_FRAMEWORKS]
    progress.start("Compliance assessments", total=len(plan))
    group_assessments: dict[str, Assessment] = {}
    for node, key, team in plan:
        assessment = open_assessment(node, frameworks[key], team[0])
        assessment.owner = team[0]
        assessment.due_date = (now + dt.timedelta(days=180)).date()
        assessment.target_level = 3 if key == "anssi_ad" else None
        assessment.save()
        _fill(assessment, team, now)
        if node == group:
            group_assessments[key] = assessment
        progress.advance()
    # The EHPAD has no directory of its own: it uses the group's (a reason a CISO would write).
    nursing = next(
        (owners[spec.key] for spec in ESTABLISHMENTS if spec.key == "nursing_home"), None
    )
    if nursing is not None:
        assessment = Assessment.objects.get(node=nursing, framework=frameworks["care_d1"])
        item = (RequirementAssessment.objects.filter(assessment=assessment, requirement__section__ref="directories")
                .order_by("requirement__order").first())
        if item is not None:
            set_status(item, group_team[0], status=Status.NOT_APPLICABLE,
                       reason="Pas d'annuaire propre : l'EHPAD utilise l'annuaire mutualisé du GHT, audité au niveau "
                              "du groupe.")
    _evidence(group_assessments, group, group_team[0], now)
