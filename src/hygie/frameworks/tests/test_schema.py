"""Our framework format: a valid file loads; every kind of mistake gives one clear error naming the file and element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hygie.frameworks import Framework, FrameworkError, load_framework, validate_framework

MINIMAL: dict[str, Any] = {
    "id": "clinic_rules",
    "name": "Clinic rules",
    "version": "1",
    "source": {"reference": "An invented text", "url": "https://example.org/rules"},
    "language": "fr",
    "levels": [{"id": 1, "title": "Basic"}, {"id": 2, "title": "Advanced"}],
    "sections": [
        {"id": "backup", "title": "Backups", "title_fr": "Sauvegardes"},
        {"id": "backup.offline", "title": "Offline copies", "parent": "backup"},
    ],
    "requirements": [
        {
            "id": "r1",
            "section": "backup",
            "title": "Back up critical systems",
            "title_fr": "Sauvegarder les systèmes critiques",
            "levels": [1, 2],
            "checks": ["continuity.critical_without_backup"],
        },
        {"id": "r1.a", "section": "backup.offline", "title": "Keep an offline copy", "parent": "r1"},
    ],
}


def write(tmp_path: Path, data: object, name: str = "clinic_rules.yaml") -> Path:
    """A framework file holding ``data`` (YAML-dumped unless it is already text)."""
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def changed(**fields: Any) -> dict[str, Any]:
    """A copy of :data:`MINIMAL` with top-level fields replaced."""
    return {**MINIMAL, **fields}


def with_requirement(**fields: Any) -> dict[str, Any]:
    """:data:`MINIMAL` with fields of its first requirement replaced (``None`` removes a field)."""
    first = {**MINIMAL["requirements"][0], **fields}
    first = {key: value for key, value in first.items() if value is not None}
    return changed(requirements=[first, *MINIMAL["requirements"][1:]])


def error_of(tmp_path: Path, data: object) -> str:
    """The message of the error loading ``data`` as a file raises."""
    with pytest.raises(FrameworkError) as caught:
        load_framework(write(tmp_path, data))
    return str(caught.value)


class TestValidFramework:
    """A valid file gives a typed framework with lookups."""

    def test_loads_and_answers_lookups(self, tmp_path: Path) -> None:
        framework = load_framework(write(tmp_path, MINIMAL))
        assert isinstance(framework, Framework)
        assert "Offline copies" == framework.section("backup.offline").title
        assert 1 == framework.requirement("r1").level
        assert ["r1", "r1.a"] == [requirement.id for requirement in framework.requirements_in("backup")]
        assert ["backup"] == [section.id for section in framework.children(None)]
        assert {"continuity.critical_without_backup"} == framework.check_ids()
        assert ["r1"] == [r.id for r in framework.requirements_for_check("continuity.critical_without_backup")]

    def test_optional_fields_default(self, tmp_path: Path) -> None:
        framework = load_framework(write(tmp_path, MINIMAL))
        offline = framework.requirement("r1.a")
        assert (None, (), (), False, None) == (
            offline.title_fr,
            offline.levels,
            offline.checks,
            offline.provisional,
            offline.level,
        )
        assert framework.provisional is False

    def test_surrounding_blanks_are_dropped(self, tmp_path: Path) -> None:
        framework = load_framework(write(tmp_path, with_requirement(title="  Back up  ")))
        assert "Back up" == framework.requirement("r1").title


class TestMalformedFiles:
    """Files that are not YAML mappings are refused with the file name and the position."""

    def test_malformed_yaml_names_file_and_line(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, "id: clinic_rules\nname: [unclosed\nversion: '1'\n")
        assert message.startswith(str(tmp_path / "clinic_rules.yaml"))
        assert "malformed YAML" in message
        assert "line " in message

    def test_duplicate_key_is_refused(self, tmp_path: Path) -> None:
        """PyYAML would keep the last value silently: a typo must not hide a field."""
        message = error_of(tmp_path, "id: a\nname: x\nname: y\n")
        assert "line 3" in message
        assert "'name' appears twice" in message

    @pytest.mark.parametrize(("text", "kind"), [("", "empty"), ("- a\n- b\n", "list"), ("just text\n", "str")])
    def test_not_a_mapping(self, tmp_path: Path, text: str, kind: str) -> None:
        assert f"must be a mapping of fields (id, name, sections...), not {kind}" in error_of(tmp_path, text)

    def test_alias_bomb_is_refused(self, tmp_path: Path) -> None:
        """Nested YAML aliases can expand a few lines to millions of values: refused, not validated."""
        lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 8)]
        assert "values once YAML aliases are expanded; refused" in error_of(tmp_path, "\n".join(lines) + "\n")

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FrameworkError, match="no such file"):
            load_framework(tmp_path / "absent.yaml")

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes("name: Sécurité\n".encode("latin-1"))
        with pytest.raises(FrameworkError, match="not UTF-8"):
            load_framework(path)


class TestWrongFields:
    """Each wrong field is reported with the requirement (or section) id and the field name."""

    def test_wrong_type_names_requirement_and_field(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(title=3))
        assert "framework 'clinic_rules' is not valid" in message
        assert "requirement 'r1': title: Input should be a valid string (got 3)" in message

    def test_missing_field(self, tmp_path: Path) -> None:
        assert "requirement 'r1': title: field required" in error_of(tmp_path, with_requirement(title=None))

    def test_missing_top_level_field(self, tmp_path: Path) -> None:
        data = {key: value for key, value in MINIMAL.items() if key != "source"}
        assert "- source: field required" in error_of(tmp_path, data)

    def test_unknown_field(self, tmp_path: Path) -> None:
        assert "requirement 'r1': titel: unknown field" in error_of(tmp_path, with_requirement(titel="x"))

    def test_boolean_must_be_a_boolean(self, tmp_path: Path) -> None:
        """``provisional: "no"`` would be true in a lax reading: only true/false are accepted."""
        assert "requirement 'r1': provisional" in error_of(tmp_path, with_requirement(provisional="no"))

    def test_version_must_be_quoted_text(self, tmp_path: Path) -> None:
        assert "version: Input should be a valid string" in error_of(tmp_path, changed(version=2))

    def test_bad_check_id(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(checks=["Backup Missing"]))
        assert "requirement 'r1': checks[0]: check id 'Backup Missing' must be namespaced" in message

    def test_check_listed_twice(self, tmp_path: Path) -> None:
        checks = ["continuity.rto_not_met", "continuity.rto_not_met"]
        assert "checks: continuity.rto_not_met listed twice" in error_of(tmp_path, with_requirement(checks=checks))

    def test_bad_ids(self, tmp_path: Path) -> None:
        assert "- id: String should match pattern" in error_of(tmp_path, changed(id="Clinic Rules"))
        assert "requirement 'r 1': id: String should match pattern" in error_of(tmp_path, with_requirement(id="r 1"))

    def test_requirement_without_id_is_numbered(self, tmp_path: Path) -> None:
        assert "requirement #1: id: field required" in error_of(tmp_path, with_requirement(id=None))

    def test_every_problem_is_listed(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(title=None, section=5))
        assert "requirement 'r1': title: field required" in message
        assert "requirement 'r1': section: Input should be a valid string" in message

    def test_empty_requirement_list(self, tmp_path: Path) -> None:
        assert "- requirements: needs at least 1 item(s)" in error_of(tmp_path, changed(requirements=[]))


class TestReferences:
    """Ids are unique; every section, parent and level named exists; parents never loop."""

    def test_duplicate_requirement_id(self, tmp_path: Path) -> None:
        requirements = [MINIMAL["requirements"][0], {**MINIMAL["requirements"][1], "id": "r1", "parent": None}]
        assert "requirement id 'r1' used twice" in error_of(tmp_path, changed(requirements=requirements))

    def test_duplicate_section_id(self, tmp_path: Path) -> None:
        sections = [*MINIMAL["sections"], {"id": "backup", "title": "Again"}]
        assert "section id 'backup' used twice" in error_of(tmp_path, changed(sections=sections))

    def test_id_shared_by_section_and_requirement(self, tmp_path: Path) -> None:
        sections = [*MINIMAL["sections"], {"id": "r1", "title": "Clash"}]
        assert "id 'r1' names both a section and a requirement" in error_of(tmp_path, changed(sections=sections))

    def test_unknown_section(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(section="restore"))
        assert "requirement 'r1': section 'restore' is not a section of this framework" in message

    def test_unknown_section_parent(self, tmp_path: Path) -> None:
        sections = [MINIMAL["sections"][0], {**MINIMAL["sections"][1], "parent": "archive"}]
        message = error_of(tmp_path, changed(sections=sections))
        assert "section 'backup.offline': parent 'archive' is not a section of this framework" in message

    def test_unknown_requirement_parent(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(parent="r9"))
        assert "requirement 'r1': parent 'r9' is not a requirement of this framework" in message

    def test_parents_looping(self, tmp_path: Path) -> None:
        sections = [{**MINIMAL["sections"][0], "parent": "backup.offline"}, MINIMAL["sections"][1]]
        assert "section 'backup': its parents loop back to it" in error_of(tmp_path, changed(sections=sections))
        assert "requirement 'r1': its parents loop back to it" in error_of(tmp_path, with_requirement(parent="r1.a"))

    def test_unknown_level(self, tmp_path: Path) -> None:
        message = error_of(tmp_path, with_requirement(levels=[1, 7]))
        assert "requirement 'r1': level 7 not defined in the framework's levels" in message

    def test_duplicate_level(self, tmp_path: Path) -> None:
        levels = [{"id": 1, "title": "Basic"}, {"id": 1, "title": "Again"}, {"id": 2, "title": "Advanced"}]
        assert "level 1 defined twice" in error_of(tmp_path, changed(levels=levels))


class TestValidateFramework:
    """The same validation applies to data built in memory (importers), with the origin given."""

    def test_origin_prefixes_the_message(self) -> None:
        with pytest.raises(FrameworkError, match=r"^upload\.yaml: framework 'clinic_rules' is not valid"):
            validate_framework(changed(name=""), "upload.yaml")
