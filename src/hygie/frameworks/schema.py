"""Our framework format: pydantic models of a framework file and its validation.

The format is documented in ``docs/development/frameworks.md``. A :class:`Framework` is always
consistent: ids unique, every section, parent and level named by an element exists, no cycles.
:func:`validate_framework` turns any mistake into a :class:`FrameworkError` that names the file
and the element (``requirement 'd2.o1.a': title: field required``).
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hygie.engines._core.finding import validate_check_id
from hygie.frameworks.errors import FrameworkError

__all__ = [
    "CheckId",
    "ElementId",
    "Framework",
    "FrameworkId",
    "Level",
    "Requirement",
    "Section",
    "Source",
    "validate_framework",
]

#: Framework ids are lower-case identifiers: they name the shipped file (``care_d2.yaml``).
FrameworkId = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
#: Section and requirement ids keep the official numbering (``d2.o1.a``, ``art21.2.c``, ``GV.OC-01``).
ElementId = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]
#: Non-empty text; surrounding blanks are dropped.
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[StrictStr, StringConstraints(pattern=r"^https?://\S+$")]
Language = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2}$")]


def _check_id(value: str) -> str:
    validate_check_id(value)  # FindingFormatError is a ValueError: pydantic reports its message
    return value


#: An engine check id giving evidence (``continuity.backup_no_offline_copy``).
CheckId = Annotated[StrictStr, AfterValidator(_check_id)]


class _Element(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Element):
    """Where the ids, levels and structure come from: the official text."""

    reference: Text
    url: Url | None = None
    #: Caveats a reader must know (provisional ids, titles to check against the official text...).
    note: Text | None = None


class Level(_Element):
    """A maturity level of the framework (ANSSI AD levels 1 to 5)."""

    id: StrictInt = Field(ge=0)
    title: Text
    title_fr: Text | None = None
    description: Text | None = None


class Section(_Element):
    """A node of the framework's tree (chapter, objective, domain); ``parent`` nests sections."""

    id: ElementId
    title: Text
    title_fr: Text | None = None
    description: Text | None = None
    description_fr: Text | None = None
    parent: ElementId | None = None
    #: Identifier of this element in the file it was imported from (a CISO Assistant URN).
    external_id: Text | None = None


class Requirement(_Element):
    """What an establishment must do, in our own words, and the engine checks giving evidence."""

    id: ElementId
    section: ElementId
    title: Text
    title_fr: Text | None = None
    description: Text | None = None
    description_fr: Text | None = None
    #: Levels (ids of the framework's ``levels``) at which this requirement is evaluated.
    levels: tuple[StrictInt, ...] = ()
    provisional: StrictBool = False
    checks: tuple[CheckId, ...] = ()
    #: A requirement refining another one (imported libraries nest assessable nodes).
    parent: ElementId | None = None
    external_id: Text | None = None

    @property
    def level(self) -> int | None:
        """The lowest level at which the requirement is evaluated, if the framework has levels."""
        return min(self.levels) if self.levels else None

    @model_validator(mode="after")
    def _no_repeats(self) -> Self:
        for field, values in (("levels", self.levels), ("checks", self.checks)):
            repeated = sorted(str(value) for value, count in Counter(values).items() if count > 1)
            if repeated:
                msg = f"{field}: {', '.join(repeated)} listed twice"
                raise ValueError(msg)
        return self


def _repeated(ids: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(ids).items() if count > 1)


def _cycles(parents: dict[str, str | None]) -> list[str]:
    """Ids whose chain of parents loops back (each cycle reported once, by its smallest id)."""
    looping: set[str] = set()
    for start in parents:
        seen: list[str] = []
        current: str | None = start
        while current is not None and current in parents and current not in seen:
            seen.append(current)
            current = parents[current]
        if current is not None and current in seen:
            looping.add(min(seen[seen.index(current) :]))
    return sorted(looping)


class Framework(_Element):
    """A compliance framework: metadata, optional levels, a tree of sections and requirements."""

    id: FrameworkId
    name: Text
    name_fr: Text | None = None
    version: Text
    source: Source
    #: Language of the official text (ISO 639-1). Our titles are in English (``title``) and French.
    language: Language
    #: True while the ids themselves are not confirmed by a public official text (CaRE domain 1).
    provisional: StrictBool = False
    description: Text | None = None
    levels: tuple[Level, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)
    requirements: tuple[Requirement, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = self._problems()
        if problems:
            raise ValueError("\n".join(problems))  # one line per problem: each becomes a bullet
        return self

    def _problems(self) -> list[str]:
        problems: list[str] = []
        section_ids = [section.id for section in self.sections]
        requirement_ids = [requirement.id for requirement in self.requirements]
        level_ids = {level.id for level in self.levels}
        problems += [f"level {level} defined twice" for level in _repeated([str(lv.id) for lv in self.levels])]
        problems += [f"section id '{dup}' used twice" for dup in _repeated(section_ids)]
        problems += [f"requirement id '{dup}' used twice" for dup in _repeated(requirement_ids)]
        problems += [
            f"id '{both}' names both a section and a requirement"
            for both in sorted(set(section_ids) & set(requirement_ids))
        ]
        sections, requirements = set(section_ids), set(requirement_ids)
        for section in self.sections:
            if section.parent is not None and section.parent not in sections:
                problems.append(f"section '{section.id}': parent '{section.parent}' is not a section of this framework")
        for requirement in self.requirements:
            where = f"requirement '{requirement.id}'"
            if requirement.section not in sections:
                problems.append(f"{where}: section '{requirement.section}' is not a section of this framework")
            if requirement.parent is not None and requirement.parent not in requirements:
                problems.append(f"{where}: parent '{requirement.parent}' is not a requirement of this framework")
            unknown = sorted(level for level in requirement.levels if level not in level_ids)
            if unknown:
                problems.append(f"{where}: level {', '.join(map(str, unknown))} not defined in the framework's levels")
        problems += [
            f"section '{cycle}': its parents loop back to it"
            for cycle in _cycles({section.id: section.parent for section in self.sections})
        ]
        problems += [
            f"requirement '{cycle}': its parents loop back to it"
            for cycle in _cycles({requirement.id: requirement.parent for requirement in self.requirements})
        ]
        return problems

    @cached_property
    def _requirements_by_id(self) -> dict[str, Requirement]:
        return {requirement.id: requirement for requirement in self.requirements}

    @cached_property
    def _sections_by_id(self) -> dict[str, Section]:
        return {section.id: section for section in self.sections}

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id; ``KeyError`` if there is none."""
        return self._requirements_by_id[requirement_id]

    def section(self, section_id: str) -> Section:
        """The section with this id; ``KeyError`` if there is none."""
        return self._sections_by_id[section_id]

    def children(self, section_id: str | None) -> list[Section]:
        """Sections directly under ``section_id`` (``None``: the top-level sections), in file order."""
        return [section for section in self.sections if section.parent == section_id]

    def requirements_in(self, section_id: str) -> list[Requirement]:
        """Requirements of this section and of every section under it, in file order."""
        wanted = {section_id}
        grew = True
        while grew:
            below = {section.id for section in self.sections if section.parent in wanted} - wanted
            wanted |= below
            grew = bool(below)
        return [requirement for requirement in self.requirements if requirement.section in wanted]

    def check_ids(self) -> set[str]:
        """Every engine check named by a requirement of this framework."""
        return {check for requirement in self.requirements for check in requirement.checks}

    def requirements_for_check(self, check_id: str) -> list[Requirement]:
        """Requirements for which ``check_id`` gives evidence."""
        return [requirement for requirement in self.requirements if check_id in requirement.checks]


_COLLECTIONS = {"requirements": "requirement", "sections": "section", "levels": "level"}


def _element_name(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """Name the element a pydantic error location points into, and the rest of the location."""
    if len(loc) >= 2 and loc[0] in _COLLECTIONS and isinstance(loc[1], int):  # noqa: PLR2004 - (collection, index)
        singular = _COLLECTIONS[str(loc[0])]
        items = data.get(str(loc[0]))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str | int):
            return f"{singular} '{item['id']}'", loc[2:]
        return f"{singular} #{loc[1] + 1}", loc[2:]
    return "", loc


def _describe(error: Any, data: dict[str, Any]) -> str:
    element, rest = _element_name(data, tuple(error["loc"]))
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in rest).lstrip(".")
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown field (see docs/development/frameworks.md for the fields)"
    elif kind == "missing":
        message = "field required"
    elif kind == "too_short":
        message = f"needs at least {error.get('ctx', {}).get('min_length', 1)} item(s)"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        if kind != "value_error" and not isinstance(error.get("input"), dict | list):
            message += f" (got {error.get('input')!r:.60})"
    parts = [part for part in (element, field) if part]
    return f"{': '.join(parts)}: {message}" if parts else message


def validate_framework(data: object, origin: str) -> Framework:
    """Build a :class:`Framework` from parsed YAML ``data``; ``origin`` (a path) prefixes every error."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        msg = f"{origin}: a framework file must be a mapping of fields (id, name, sections...), not {kind}"
        raise FrameworkError(msg)
    try:
        return Framework.model_validate(data)
    except ValidationError as error:
        problems = [line for problem in error.errors() for line in _describe(problem, data).splitlines()]
        name = f"framework '{data['id']}'" if isinstance(data.get("id"), str) else "framework"
        raise FrameworkError(f"{origin}: {name} is not valid:\n  - " + "\n  - ".join(problems)) from None
