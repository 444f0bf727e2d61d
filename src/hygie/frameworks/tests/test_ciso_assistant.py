"""CISO Assistant libraries become frameworks in our format; what is not such a library is refused clearly.

Every library here is invented by the test, in the format CISO Assistant documents publicly
(library metadata, ``objects.framework`` and its flat ``requirement_nodes`` list).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hygie.frameworks import Framework, FrameworkError, import_library, import_library_text

PREFIX = "urn:hygie-test:risk:req_node:ward-rules"


def node(tail: str, *, assessable: bool, depth: int, parent: str | None = None, **fields: Any) -> dict[str, Any]:
    """A requirement node with its URN built from ``tail`` (and its parent's from ``parent``)."""
    made: dict[str, Any] = {"urn": f"{PREFIX}:{tail}", "assessable": assessable, "depth": depth}
    if parent is not None:
        made["parent_urn"] = f"{PREFIX}:{parent}"
    return {**made, **fields}


LIBRARY: dict[str, Any] = {
    "urn": "urn:hygie-test:risk:library:ward-rules",
    "locale": "en",
    "ref_id": "WARD-RULES",
    "name": "Ward rules",
    "description": "Rules invented for a test",
    "copyright": "Public domain (test)",
    "version": 2,
    "publication_date": "2025-01-01",
    "provider": "Test provider",
    "packager": "test",
    "translations": {"fr": {"name": "Règles du service"}},
    "objects": {
        "framework": {
            "urn": "urn:hygie-test:risk:framework:ward-rules",
            "ref_id": "WARD-RULES v2",
            "name": "Ward rules",
            "description": "Invented rules for a hospital ward",
            "translations": {"fr": {"name": "Règles du service"}},
            "requirement_nodes": [
                node("intro", assessable=True, depth=1, ref_id="0", name="Know the rules"),
                node(
                    "access",
                    assessable=False,
                    depth=1,
                    ref_id="A",
                    name="Access",
                    translations={"fr": {"name": "Accès"}},
                ),
                node(
                    "access.1",
                    assessable=True,
                    depth=2,
                    parent="access",
                    ref_id="A 1",
                    name="Badge every door",
                    description="Doors to the ward open with a badge.",
                    translations={
                        "fr": {"name": "Badger chaque porte", "description": "Les portes s'ouvrent au badge."}
                    },
                ),
                node("access.1.a", assessable=True, depth=3, parent="access.1", description="Night doors included"),
                node("access.2", assessable=True, depth=2, parent="access", ref_id="A 1", name="Same ref id twice"),
                node("access.info", assessable=False, depth=2, parent="access", description="A note between rules"),
                node("access.info.1", assessable=True, depth=3, parent="access.info", ref_id="A.3", name="Log visits"),
            ],
        },
    },
}


def library(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`LIBRARY` with top-level fields replaced (``None`` removes one)."""
    made = copy.deepcopy(LIBRARY)
    made.update(changes)
    return {key: value for key, value in made.items() if value is not None}


def with_nodes(*nodes: dict[str, Any]) -> dict[str, Any]:
    """:data:`LIBRARY` whose framework holds ``nodes``."""
    made = library()
    made["objects"]["framework"]["requirement_nodes"] = list(nodes)
    return made


def imported(tmp_path: Path, data: object, **options: Any) -> Framework:
    """Write ``data`` as a library file, as a user would download it, and import it."""
    path = tmp_path / "library.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return import_library(path, **options)


def refused(tmp_path: Path, data: object) -> str:
    """The message of the error importing ``data`` raises."""
    with pytest.raises(FrameworkError) as caught:
        imported(tmp_path, data)
    return str(caught.value)


class TestImport:
    """A library's framework becomes sections (non-assessable nodes) and requirements (assessable ones)."""

    def test_metadata(self, tmp_path: Path) -> None:
        framework = imported(tmp_path, LIBRARY)
        assert ("ward_rules_v2", "Ward rules", "Règles du service") == (framework.id, framework.name, framework.name_fr)
        assert ("2", "en", "Invented rules for a hospital ward") == (
            framework.version,
            framework.language,
            framework.description,
        )
        assert "urn:hygie-test:risk:library:ward-rules" in framework.source.reference
        assert "Test provider" in framework.source.reference
        assert "Copyright: Public domain (test)" == framework.source.note

    def test_sections_and_their_tree(self, tmp_path: Path) -> None:
        framework = imported(tmp_path, LIBRARY)
        assert [("framework", None), ("A", None), ("access.info", "A")] == [
            (s.id, s.parent) for s in framework.sections
        ]
        assert ("Access", "Accès") == (framework.section("A").title, framework.section("A").title_fr)
        assert "A note between rules" == framework.section("access.info").title

    def test_top_level_requirements_go_to_a_section_named_after_the_framework(self, tmp_path: Path) -> None:
        framework = imported(tmp_path, LIBRARY)
        assert "framework" == framework.requirement("0").section
        assert ("Ward rules", "Règles du service") == (
            framework.section("framework").title,
            framework.section("framework").title_fr,
        )

    def test_requirements(self, tmp_path: Path) -> None:
        framework = imported(tmp_path, LIBRARY)
        assert ["0", "A-1", "access.1.a", "access.2", "A.3"] == [
            requirement.id for requirement in framework.requirements
        ]
        badge = framework.requirement("A-1")
        assert ("A", "Badge every door", "Badger chaque porte") == (badge.section, badge.title, badge.title_fr)
        assert ("Doors to the ward open with a badge.", "Les portes s'ouvrent au badge.") == (
            badge.description,
            badge.description_fr,
        )
        assert f"{PREFIX}:access.1" == badge.external_id
        assert () == badge.checks

    def test_nested_assessable_node_keeps_its_parent(self, tmp_path: Path) -> None:
        night = imported(tmp_path, LIBRARY).requirement("access.1.a")
        assert ("A", "A-1", "Night doors included") == (night.section, night.parent, night.title)

    def test_a_repeated_ref_id_falls_back_to_the_urn(self, tmp_path: Path) -> None:
        assert "Same ref id twice" == imported(tmp_path, LIBRARY).requirement("access.2").title

    def test_requirements_under_a_nested_section(self, tmp_path: Path) -> None:
        framework = imported(tmp_path, LIBRARY)
        assert ["A-1", "access.1.a", "access.2", "A.3"] == [r.id for r in framework.requirements_in("A")]

    def test_framework_id_can_be_chosen(self, tmp_path: Path) -> None:
        assert "ward" == imported(tmp_path, LIBRARY, framework_id="ward").id

    def test_a_french_library_fills_french_titles(self, tmp_path: Path) -> None:
        data = library(locale="fr")
        first = data["objects"]["framework"]["requirement_nodes"][0]
        first["translations"] = {"en": {"name": "Know the rules (en)"}}
        first["name"] = "Connaître les règles"
        requirement = imported(tmp_path, data).requirement("0")
        assert ("Know the rules (en)", "Connaître les règles") == (requirement.title, requirement.title_fr)

    def test_from_text(self) -> None:
        framework = import_library_text(yaml.safe_dump(LIBRARY, allow_unicode=True), "upload.yaml")
        assert 5 == len(framework.requirements)

    def test_long_description_only_node_gets_a_short_title_and_keeps_the_text(self, tmp_path: Path) -> None:
        text = "Keep every door of the ward closed at night. " * 5
        data = with_nodes(node("x", assessable=True, depth=1, description=text))
        requirement = imported(tmp_path, data).requirement("x")
        assert requirement.title.endswith("…")
        assert 120 >= len(requirement.title)
        assert text.strip() == requirement.description


class TestRefused:
    """Bad input gives one clear error naming the file and the node; nothing is returned."""

    def test_not_a_library(self, tmp_path: Path) -> None:
        ours = {"id": "care_d2", "name": "CaRE", "sections": [], "requirements": []}
        assert "not a CISO Assistant library (its top level needs a 'urn' and 'objects')" in refused(tmp_path, ours)

    def test_a_list_is_not_a_library(self, tmp_path: Path) -> None:
        assert "not a CISO Assistant library" in refused(tmp_path, ["urn", "objects"])

    def test_library_without_framework(self, tmp_path: Path) -> None:
        threats = library(
            objects={"threats": [{"urn": "urn:hygie-test:risk:threat:flood", "ref_id": "T1", "name": "Flood"}]}
        )
        message = refused(tmp_path, threats)
        assert "library 'urn:hygie-test:risk:library:ward-rules': holds no framework" in message

    def test_framework_that_is_not_a_mapping(self, tmp_path: Path) -> None:
        assert "objects.framework must be one mapping" in refused(tmp_path, library(objects={"framework": "ward"}))

    def test_dangling_parent_urn(self, tmp_path: Path) -> None:
        data = with_nodes(node("a.1", assessable=True, depth=2, parent="a", ref_id="A1", name="Orphan"))
        message = refused(tmp_path, data)
        assert f"requirement node '{PREFIX}:a.1': parent_urn '{PREFIX}:a' is not a node of this framework" in message

    def test_parent_urn_loop(self, tmp_path: Path) -> None:
        data = with_nodes(
            node("a", assessable=False, depth=1, parent="b", name="A"),
            node("b", assessable=False, depth=2, parent="a", name="B"),
            node("c", assessable=True, depth=3, parent="b", name="C"),
        )
        assert "its parent_urn chain loops" in refused(tmp_path, data)

    def test_node_without_urn(self, tmp_path: Path) -> None:
        data = with_nodes(node("a", assessable=True, depth=1, name="A"), {"assessable": True, "depth": 1, "name": "B"})
        assert "requirement node #2 has no 'urn'" in refused(tmp_path, data)

    def test_node_twice(self, tmp_path: Path) -> None:
        data = with_nodes(node("a", assessable=True, depth=1, name="A"), node("a", assessable=True, depth=1, name="B"))
        assert f"requirement node '{PREFIX}:a' appears twice" in refused(tmp_path, data)

    def test_assessable_must_be_a_boolean(self, tmp_path: Path) -> None:
        data = with_nodes(node("a", assessable=True, depth=1, name="A") | {"assessable": "x"})
        assert f"requirement node '{PREFIX}:a': 'assessable' must be true or false" in refused(tmp_path, data)

    def test_text_field_of_the_wrong_type(self, tmp_path: Path) -> None:
        data = with_nodes(node("a", assessable=True, depth=1, name={"en": "A"}))
        assert f"requirement node '{PREFIX}:a': 'name' must be text, not dict" in refused(tmp_path, data)

    def test_no_requirement_nodes(self, tmp_path: Path) -> None:
        assert "the framework has no requirement_nodes list" in refused(tmp_path, with_nodes())

    def test_nothing_assessable(self, tmp_path: Path) -> None:
        data = with_nodes(node("a", assessable=False, depth=1, name="Only a heading"))
        assert "no requirement node is assessable" in refused(tmp_path, data)

    def test_malformed_yaml(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.yaml"
        path.write_text("urn: urn:x\nobjects:\n  framework: [unclosed\n", encoding="utf-8")
        with pytest.raises(FrameworkError, match=r"broken\.yaml: malformed YAML: line "):
            import_library(path)

    def test_bad_locale_is_reported_by_our_schema(self, tmp_path: Path) -> None:
        assert "language: String should match pattern" in refused(tmp_path, library(locale="english"))
