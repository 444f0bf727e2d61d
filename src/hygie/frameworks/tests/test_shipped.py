"""The shipped frameworks: valid, ids unique and as in the official texts, checks that exist, wording ours."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hygie.engines._core import ReferenceKind
from hygie.frameworks import DATA_DIR, Framework, engine_check_ids, load_framework, shipped, shipped_framework
from hygie.frameworks.yaml_reader import read_yaml

SHIPPED_FILES = sorted(DATA_DIR.glob("*.yaml"))
#: The ANSSI AD control list the project keeps beside the repository (absent from a bare checkout).
AD_CONTROLS = Path(__file__).resolve().parents[4].parent / "shared" / "domain" / "anssi_ad_controls.tsv"


def ad_controls() -> dict[str, tuple[tuple[int, ...], str]]:
    """``{control id: (levels, official French title)}`` from the project's TSV."""
    rows = [line.split("\t") for line in AD_CONTROLS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if not row[0].startswith("#")][1:]
    return {row[0]: (tuple(int(level) for level in row[1].split(",")), row[2]) for row in rows}


class TestEveryShippedFile:
    """Each file validates against the schema, is named after its id and keeps its promises."""

    def test_the_six_frameworks_are_shipped(self) -> None:
        expected = ["anssi_ad", "anssi_hygiene", "care_d1", "care_d2", "nis2_art21", "nis_ose"]
        assert expected == [framework.id for framework in shipped()]

    @pytest.mark.parametrize("path", SHIPPED_FILES, ids=[path.stem for path in SHIPPED_FILES])
    def test_validates_and_is_named_after_its_id(self, path: Path) -> None:
        assert path.stem == load_framework(path).id

    @pytest.mark.parametrize("path", SHIPPED_FILES, ids=[path.stem for path in SHIPPED_FILES])
    def test_requirement_ids_are_unique(self, path: Path) -> None:
        """Counted on the raw file, independently of the schema's own check."""
        raw = read_yaml(path)
        assert isinstance(raw, dict)
        counts = Counter(requirement["id"] for requirement in raw["requirements"])
        assert [] == [requirement_id for requirement_id, count in counts.items() if count > 1]

    @pytest.mark.parametrize("framework", shipped(), ids=lambda framework: framework.id)
    def test_every_check_named_exists_in_the_engines(self, framework: Framework) -> None:
        assert set() == framework.check_ids() - engine_check_ids()

    @pytest.mark.parametrize("framework", shipped(), ids=lambda framework: framework.id)
    def test_titles_in_english_and_french(self, framework: Framework) -> None:
        assert framework.name_fr
        assert [] == [section.id for section in framework.sections if not section.title_fr]
        assert [] == [requirement.id for requirement in framework.requirements if not requirement.title_fr]

    def test_unknown_shipped_framework(self) -> None:
        with pytest.raises(ValueError, match=r"no shipped framework 'iso27001' \(shipped: anssi_ad, "):
            shipped_framework("iso27001")


class TestStructureFromTheOfficialTexts:
    """Ids and structure as the official texts number them."""

    def test_care_domain_2(self) -> None:
        framework = shipped_framework("care_d2")
        expected = ["d2.p1", "d2.p2", "d2.o1.a", "d2.o1.b", "d2.o1.c", "d2.o1.d", "d2.o2.a", "d2.o2.b"]
        expected += ["d2.o3.a", "d2.o3.b", "d2.o3.c", "d2.o3.d", "d2.o4"]
        assert expected == [requirement.id for requirement in framework.requirements]
        assert not framework.provisional

    def test_care_domain_1_is_provisional_throughout(self) -> None:
        framework = shipped_framework("care_d1")
        assert framework.provisional
        assert all(requirement.provisional for requirement in framework.requirements)
        assert {"prerequisites", "directories", "exposure"} == {section.id for section in framework.sections}
        assert any(check.startswith("directory.") for check in framework.check_ids())
        assert any(check.startswith("exposure.") for check in framework.check_ids())

    def test_nis2_article_21_points_a_to_j(self) -> None:
        framework = shipped_framework("nis2_art21")
        assert [f"art21.2.{point}" for point in "abcdefghij"] == [r.id for r in framework.requirements]

    def test_nis_ose_23_rules_in_four_chapters(self) -> None:
        framework = shipped_framework("nis_ose")
        assert [f"rule_{number}" for number in range(1, 24)] == [r.id for r in framework.requirements]
        chapters = {section.id: len(framework.requirements_in(section.id)) for section in framework.sections}
        assert {"governance": 6, "protection": 11, "defence": 5, "resilience": 1} == chapters
        assert framework.source.note
        assert "check" in framework.source.note

    def test_hygiene_guide_42_measures_in_10_sections(self) -> None:
        framework = shipped_framework("anssi_hygiene")
        assert [f"hygiene_{number}" for number in range(1, 43)] == [r.id for r in framework.requirements]
        assert 10 == len(framework.sections)
        sizes = [len(framework.requirements_in(section.id)) for section in framework.sections]
        # Sections I to X of the 2017 edition: measures 1-3, 4-6, 7-13, 14-18, 19-26, 27-29, 30-33, 34-35, 36-40, 41-42.
        assert [3, 3, 7, 5, 8, 3, 4, 2, 5, 2] == sizes

    def test_anssi_ad_levels_one_to_five(self) -> None:
        framework = shipped_framework("anssi_ad")
        assert [1, 2, 3, 4, 5] == [level.id for level in framework.levels]
        assert 76 == len(framework.requirements)
        assert (2,) == framework.requirement("vuln_krbtgt").levels
        assert (1, 2, 3) == framework.requirement("vuln_certificates_vuln").levels
        assert 4 == framework.requirement("vuln_user_accounts_machineaccountquota").level

    @pytest.mark.skipif(not AD_CONTROLS.exists(), reason="the project's shared/ directory is not beside this checkout")
    def test_anssi_ad_ids_and_levels_exactly_as_the_control_list(self) -> None:
        framework = shipped_framework("anssi_ad")
        expected = {control: levels for control, (levels, _title) in ad_controls().items()}
        assert expected == {requirement.id: requirement.levels for requirement in framework.requirements}

    @pytest.mark.skipif(not AD_CONTROLS.exists(), reason="the project's shared/ directory is not beside this checkout")
    def test_anssi_ad_titles_are_our_own_words(self) -> None:
        official = {control: title for control, (_levels, title) in ad_controls().items()}
        framework = shipped_framework("anssi_ad")
        assert [] == [r.id for r in framework.requirements if r.title_fr == official[r.id]]


class TestEngineReferencesAreMapped:
    """A check citing a framework requirement in its references gives evidence for that requirement."""

    @staticmethod
    def cited() -> list[tuple[str, str, str]]:
        """``(check id, framework id, requirement id)`` for every reference the engines' checks make."""
        import hygie.engines.continuity.checks
        import hygie.engines.directory.checks
        import hygie.engines.exposure.checks  # noqa: F401 - imported for their registrations
        from hygie.engines.continuity.registry import CHECKS as CONTINUITY
        from hygie.engines.directory.registry import CHECKS as DIRECTORY
        from hygie.engines.exposure.registry import CHECKS as EXPOSURE

        found = []
        for registry in (DIRECTORY, EXPOSURE, CONTINUITY):
            for spec in registry:
                for reference in spec.references:
                    if reference.kind is ReferenceKind.NIS2:
                        found.append((spec.check_id, "nis2_art21", reference.id))
                    elif reference.kind is ReferenceKind.CARE:
                        found.append((spec.check_id, f"care_{reference.id.split('.')[0]}", reference.id))
                    elif reference.kind is ReferenceKind.ANSSI:
                        hygiene = reference.id.startswith("hygiene_")
                        found.append((spec.check_id, "anssi_hygiene" if hygiene else "anssi_ad", reference.id))
        return found

    def test_engines_cite_frameworks(self) -> None:
        assert {"care_d2", "nis2_art21", "anssi_ad", "anssi_hygiene"} <= {
            framework for _c, framework, _r in self.cited()
        }

    def test_every_cited_requirement_exists_and_lists_the_check(self) -> None:
        missing = []
        for check, framework_id, requirement_id in self.cited():
            framework = shipped_framework(framework_id)
            try:
                requirement = framework.requirement(requirement_id)
            except KeyError:
                missing.append(f"{check}: {framework_id} has no requirement {requirement_id}")
                continue
            if check not in requirement.checks:
                missing.append(f"{check}: not listed by {framework_id} {requirement_id}")
        assert [] == missing
