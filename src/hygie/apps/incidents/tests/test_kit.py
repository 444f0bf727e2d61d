"""The offline crisis kit: what it holds, that it loads nothing and escapes everything, its files and schedule."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.utils import timezone

from hygie.apps.continuity.models import SimulationStatus
from hygie.apps.continuity.tests.support import build_continuity
from hygie.apps.incidents.kit import KitError, generate_kit, generate_kits_job, kit_paths, start_generate_all
from hygie.apps.incidents.models import (
    Audience,
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    CrisisRole,
    DutyShift,
    Insured,
    KitTrigger,
    RegulatoryProfile,
)
from hygie.apps.inventory.models import Criticality
from hygie.engines._core.progress import NullProgress

HOSTILE = '<img src="https://evil.example/x.png" onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def crisis(tenants: Any) -> Any:
    """Hospital A with a crisis cell, people, a rota, a template, a profile and a continuity model."""
    now = timezone.now()
    hospital = tenants.hospital_a
    CrisisCell.objects.create(node=hospital, meeting_place="Board room, building B", conference_bridge="+33 1 00",
                              plan_blanc_location="Director's safe", notes=HOSTILE)
    director = CrisisMember.objects.create(node=hospital, role=CrisisRole.DIRECTOR, name="Alice Martin",
                                           mobile="+33 6 11 11 11 11", personal_email="alice@home.example")
    CrisisMember.objects.create(node=hospital, role=CrisisRole.DIRECTOR, rank=2, name="Bruno Petit",
                                mobile="+33 6 22 22 22 22")
    CrisisMember.objects.create(node=hospital, role=CrisisRole.CISO, name=HOSTILE, landline="+33 1 33")
    CrisisMember.objects.create(node=tenants.group_a, role=CrisisRole.ARS, name="Claire Dupont-ARS",
                                organisation="ARS Test", landline="+33 1 44")
    DutyShift.objects.create(member=director, starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(days=1))
    DutyShift.objects.create(member=director, starts_at=now + dt.timedelta(days=20),
                             ends_at=now + dt.timedelta(days=21))
    CommunicationTemplate.objects.create(node=tenants.group_a, audience=Audience.PRESS, title="Press holding line",
                                         body=f"{{establishment}} is affected. {HOSTILE}")
    RegulatoryProfile.objects.create(node=tenants.group_a, insured=Insured.YES, insurer="Mutuelle Test",
                                     policy_number="POL-42", insurer_notice_hours=48)
    model = build_continuity(hospital)
    model["emergencies"].patient_impact = Criticality.VITAL
    model["emergencies"].save()
    tenants.model = model
    return tenants


def _html(kit: CrisisKit) -> str:
    return kit_paths(kit)[0].read_text(encoding="utf-8")


class TestContent:
    """Every section holds the node's data."""

    def test_sections(self, crisis: Any) -> None:
        """Given a prepared cell, when the kit is generated, then each section shows its part."""
        kit = generate_kit(crisis.hospital_a, user=crisis.users["analyst"], pdf=False)
        html = _html(kit)
        for expected in ("750712184", "Board room, building B", "Alice Martin", "deputy 1", "Bruno Petit",
                         "+33 6 11 11 11 11", "alice@home.example", "Claire Dupont-ARS", "Mutuelle Test", "POL-42",
                         "Press holding line", "Paper forms", "Kit in A&amp;E", "Ransomware suspected",
                         "Regulators' contact points", "https://www.cert.ssi.gouv.fr", "Print me"):
            assert expected in html, expected
        # The rota covers 14 days: the shift in 20 days is not printed.
        assert 1 == len(re.findall(r'<table class="rota">.*?</table>', html, re.DOTALL))
        rota = re.search(r'<table class="rota">.*?</table>', html, re.DOTALL).group(0)  # type: ignore[union-attr]
        assert 1 == rota.count("Alice Martin")
        assert {"members": 3, "external_contacts": 1, "duty_shifts": 1, "templates": 1} == {
            key: kit.summary[key] for key in ("members", "external_contacts", "duty_shifts", "templates")}
        assert 2 == kit.summary["degraded_modes"]
        assert KitTrigger.ON_DEMAND == kit.trigger
        assert crisis.users["analyst"] == kit.generated_by

    def test_most_critical_activity_first(self, crisis: Any) -> None:
        """Emergencies (vital) come before billing in the degraded-mode procedures."""
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False))
        section = html[html.index('id="degraded-'):]
        assert section.index("Emergencies") < section.index("Billing")

    def test_recovery_order_from_the_engine(self, crisis: Any) -> None:
        """Without a simulation, the engine's dependency order: the directory before the patient record."""
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False))
        section = html[html.index('id="recovery-'):html.index('id="templates-')]
        assert "continuity engine restores them" in section
        assert section.index("Active Directory") < section.index("Patient record")
        assert section.index("SAN storage") < section.index("PACS")

    def test_recovery_order_from_a_simulation(self, crisis: Any) -> None:
        """With a finished simulation, its median schedule, named with its scenario."""
        crisis.model["ransomware"].simulations.create(status=SimulationStatus.DONE, result={"schedule": [
            {"component": "Hypervisors", "team": "Infrastructure", "start_h": 0, "end_h": 4, "end_p90_h": 5},
            {"component": "Patient record", "team": "Applications", "start_h": 6, "end_h": 14, "end_p90_h": 18},
        ]})
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False))
        section = html[html.index('id="recovery-'):html.index('id="templates-')]
        assert 'scenario "Ransomware"' in section or "scenario &quot;Ransomware&quot;" in section
        assert section.index("Hypervisors") < section.index("Patient record")
        assert "14.0" in section

    def test_clocks_checklist(self, crisis: Any) -> None:
        """Every rule is listed with blank cells; the insured profile makes the complaint relevant."""
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False))
        section = html[html.index('id="clocks-'):html.index('id="external-')]
        rows = re.findall(r'<tr class="([^"]*)" data-obligation="([a-z_0-9]+)"', section)
        assert 10 == len(rows)
        relevance = {obligation: classes for classes, obligation in rows}
        assert "" == relevance["criminal_complaint"]
        assert "" == relevance["cert_sante"]
        assert "not-relevant" == relevance["nis2_early_warning"]  # no NIS2 status on this profile
        assert "within 48 h (insurance policy)" in section
        assert 20 == section.count('class="blank"')

    def test_french(self, crisis: Any) -> None:
        """In French, the trees and the rules speak French."""
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False, language="fr"))
        assert 'lang="fr"' in html
        assert "Suspicion de rançongiciel" in html
        assert "Ne PAS les éteindre" in html

    def test_group_kit_has_each_establishment(self, crisis: Any) -> None:
        """A group's kit holds the group's part and one per member establishment."""
        kit = generate_kit(crisis.group_a, user=None, pdf=False)
        html = _html(kit)
        assert f'id="part-{crisis.group_a.pk}"' in html
        assert f'id="part-{crisis.hospital_a.pk}"' in html
        assert "Hospital B" not in html
        assert 1 == kit.summary["establishments"]
        assert 2 == kit.summary["degraded_modes"]  # the hospital's, printed once: in the hospital's part


class TestSafety:
    """Hostile strings stay text; nothing is loaded from anywhere."""

    def test_escaped_and_self_contained(self, crisis: Any) -> None:
        """The hostile name, notes and template body are escaped; no script, image, link or remote style."""
        html = _html(generate_kit(crisis.hospital_a, user=None, pdf=False))
        assert "<script" not in html.lower()
        assert "<img" not in html.lower()
        assert "<link" not in html.lower()
        assert "@import" not in html
        assert not re.search(r"<[a-z]+[^>]*\s(src|href)=\"?(https?:)?//", html)  # nothing to fetch
        assert "&lt;img src=&quot;https://evil.example/x.png&quot;" in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
        assert "default-src 'none'" in html


class TestFiles:
    """Both files are stored under their digest; older kits are kept."""

    def test_html_and_pdf(self, crisis: Any) -> None:
        """The stored files match the recorded digests and sizes; the PDF is a PDF."""
        kit = generate_kit(crisis.hospital_a, user=None)
        html_path, pdf_path = kit_paths(kit)
        assert pdf_path is not None
        html, pdf = html_path.read_bytes(), pdf_path.read_bytes()
        assert kit.html_sha256 == hashlib.sha256(html).hexdigest()
        assert kit.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
        assert (kit.html_size, kit.pdf_size) == (len(html), len(pdf))
        assert pdf.startswith(b"%PDF")

    def test_old_kits_kept(self, crisis: Any) -> None:
        """Two generations, two rows; the first one's file is still there."""
        first = generate_kit(crisis.hospital_a, user=None, pdf=False, now=timezone.now() - dt.timedelta(days=1))
        second = generate_kit(crisis.hospital_a, user=None, pdf=False)
        assert [second, first] == list(CrisisKit.objects.filter(node=crisis.hospital_a))
        assert kit_paths(first)[0].is_file()


class TestPermissions:
    """Generating a kit needs ADD on the node."""

    @pytest.mark.parametrize("who", ["viewer", "outsider", "no_role"])
    def test_refused(self, crisis: Any, who: str) -> None:
        """A viewer, another tenant's manager, a user without role: refused, nothing recorded."""
        user = crisis.users.get(who) or getattr(crisis, who)
        with pytest.raises(KitError):
            generate_kit(crisis.hospital_a, user=user, pdf=False)
        assert 0 == CrisisKit.objects.count()


class TestSchedule:
    """The daily regeneration covers the cells that ask for it."""

    def test_job(self, crisis: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Cells with kit_daily get a scheduled kit; a cell without does not."""
        from hygie.apps.incidents import kit as kit_module

        CrisisCell.objects.create(node=crisis.hospital_b, kit_daily=False)
        CrisisCell.objects.create(node=crisis.group_a)
        monkeypatch.setattr(kit_module, "_pdf", lambda _html: b"%PDF-1.7 test")
        result = generate_kits_job(progress=NullProgress())
        assert 2 == result["generated"]
        kits = CrisisKit.objects.all()
        assert {crisis.hospital_a, crisis.group_a} == {kit.node for kit in kits}
        assert {KitTrigger.SCHEDULED} == {kit.trigger for kit in kits}

    def test_job_for_a_user(self, crisis: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Started from the UI, the job runs as its user: group B's manager only gets group B's kits."""
        from hygie.apps.incidents import kit as kit_module
        from hygie.apps.jobs.models import Job

        CrisisCell.objects.create(node=crisis.hospital_b)
        monkeypatch.setattr(kit_module, "_pdf", lambda _html: b"%PDF-1.7 test")
        job = start_generate_all(node=crisis.group_b, user=crisis.outsider)
        assert Job.objects.filter(pk=job.pk, kind="incidents.crisis_kits").exists()
        result = generate_kits_job(progress=NullProgress(), user_id=crisis.outsider.pk, scheduled=False)
        assert 1 == result["generated"]
        assert crisis.hospital_b == CrisisKit.objects.get().node
        with pytest.raises(KitError):
            start_generate_all(node=crisis.hospital_a, user=crisis.outsider)


_TREE = """
version: 1
trees:
  - id: outage
    title: Outage
    title_fr: Panne
    when: When it breaks.
    when_fr: Quand ça casse.
    steps:
      - id: ask
        text: Is it an attack?
        text_fr: Est-ce une attaque ?
        if_yes: cell
        if_no: end
      - id: cell
        text: Convene the cell.
        text_fr: Réunir la cellule.
"""


class TestPlaybook:
    """The decision trees and contact points are read strictly."""

    def test_shipped(self) -> None:
        """The shipped trees cover ransomware, data theft and outage; every branch lands on a step."""
        from hygie.apps.incidents.playbooks import national_contacts, shipped_playbook

        trees = {tree.id: tree for tree in shipped_playbook()}
        assert {"ransomware", "data_theft", "outage"} == set(trees)
        for tree in trees.values():
            numbers = {step.number for step in tree.steps}
            for step in tree.steps:
                assert step.text
                assert step.text_fr
                assert {step.yes, step.no, step.next} - {None} <= numbers
        assert any(step.question for step in trees["ransomware"].steps)
        assert {"cert_sante", "cnil", "anssi", "cybermalveillance"} <= {c.id for c in national_contacts()}

    def test_parsed(self) -> None:
        """Branches become step numbers; "end" ends; the last step ends by itself."""
        from hygie.apps.incidents.playbooks import parse_playbook
        from hygie.frameworks.yaml_reader import read_yaml_text

        (tree,) = parse_playbook(read_yaml_text(_TREE, "t.yaml"), "t.yaml")
        ask, cell = tree.steps
        assert (True, 2, None) == (ask.question, ask.yes, ask.no)
        assert (False, None) == (cell.question, cell.next)
        assert "Réunir la cellule." == cell.text_in("fr-fr")

    @pytest.mark.parametrize(("old", "new", "message"), [
        ("if_yes: cell", "if_yes: nowhere", r"trees\[0\].steps\[0\].if_yes: unknown step 'nowhere'"),
        ("        if_no: end\n", "", "needs both 'if_yes' and 'if_no'"),
        ("    when: When it breaks.\n", "    when: When it breaks.\n    colour: red\n", "unknown field"),
        ("        text_fr: Réunir la cellule.\n", "", r"steps\[1\]: missing field\(s\) text_fr"),
        ("      - id: cell", "      - id: ask", "given twice"),
        ("version: 1", "version: 2", "only version 1"),
        ("    title: Outage\n", "    title: Outage\n    title: Again\n", "appears twice"),
        ("  - id: outage", "  - id: outage\n  bad", "malformed YAML"),
    ])
    def test_refused(self, tmp_path: Any, old: str, new: str, message: str) -> None:
        """Each mistake is a PlaybookError naming the file and the element."""
        from hygie.apps.incidents.playbooks import PlaybookError, load_playbook

        path = tmp_path / "first_hours.yaml"
        path.write_text(_TREE.replace(old, new), encoding="utf-8")
        with pytest.raises(PlaybookError, match=message) as raised:
            load_playbook(path)
        assert str(raised.value).startswith("first_hours.yaml")

    def test_contact_portal_https_only(self, tmp_path: Any) -> None:
        """A portal is an https address or nothing (no javascript: or plain http link in the kit)."""
        from hygie.apps.incidents.playbooks import PlaybookError, load_contact_points

        path = tmp_path / "contact_points.yaml"
        path.write_text("version: 1\ncontacts:\n  - {id: x, name: X, name_fr: X, role: R, role_fr: R, "
                        "portal: 'javascript:alert(1)'}\n", encoding="utf-8")
        with pytest.raises(PlaybookError, match=r"contacts\[0\].portal"):
            load_contact_points(path)
