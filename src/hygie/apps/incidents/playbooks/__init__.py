"""The decision trees for the first hours and the national contact points, read from YAML beside this module.

Both files are data in our own wording, bilingual like the frameworks (``text``/``text_fr``). They
are read strictly: an unknown field, a missing text, a duplicate id or a branch to a step that does
not exist is a :class:`PlaybookError` naming the file and the element, so a typo never prints a
kit with a dead end in the middle of a crisis. No Django here: the kit renders what this returns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from hygie.frameworks.errors import FrameworkError
from hygie.frameworks.yaml_reader import read_yaml_text

__all__ = [
    "END",
    "FIRST_HOURS",
    "NATIONAL_CONTACTS",
    "ContactPoint",
    "DecisionTree",
    "PlaybookError",
    "Step",
    "load_contact_points",
    "load_playbook",
    "national_contacts",
    "parse_contact_points",
    "parse_playbook",
    "shipped_playbook",
]

HERE = Path(__file__).resolve().parent
#: The shipped decision trees.
FIRST_HOURS = HERE / "first_hours.yaml"
#: The shipped national contact points.
NATIONAL_CONTACTS = HERE / "contact_points.yaml"
#: A branch or ``next`` that ends the tree.
END = "end"
#: Largest playbook file read: these are a few kilobytes; more is a mistake.
MAX_BYTES = 1024 * 1024

_TREE_FIELDS = {"id", "title", "title_fr", "when", "when_fr", "steps"}
# ``if_yes``/``if_no`` rather than ``yes``/``no``: YAML 1.1 reads a bare yes/no key as a boolean.
_STEP_FIELDS = {"id", "text", "text_fr", "if_yes", "if_no", "next"}
_CONTACT_FIELDS = {"id", "name", "name_fr", "role", "role_fr", "portal"}


class PlaybookError(ValueError):
    """A playbook or contact file is invalid; the message names the file and the element."""


def _french(language: str) -> bool:
    return language.lower().startswith("fr")


@dataclass(frozen=True)
class Step:
    """One numbered step: an action (then ``next``) or a yes/no question (``if_yes``/``if_no`` in the file).

    ``next``, ``yes`` and ``no`` hold step numbers; ``None`` ends the tree.
    """

    number: int
    id: str
    text: str
    text_fr: str
    question: bool
    yes: int | None = None
    no: int | None = None
    next: int | None = None

    def text_in(self, language: str) -> str:
        """The step's text in ``language`` (French for any ``fr`` variant)."""
        return self.text_fr if _french(language) else self.text


@dataclass(frozen=True)
class DecisionTree:
    """A decision tree for the first hours of one kind of incident."""

    id: str
    title: str
    title_fr: str
    when: str
    when_fr: str
    steps: tuple[Step, ...]

    def title_in(self, language: str) -> str:
        """The title in ``language``."""
        return self.title_fr if _french(language) else self.title

    def when_in(self, language: str) -> str:
        """When to use the tree, in ``language``."""
        return self.when_fr if _french(language) else self.when


@dataclass(frozen=True)
class ContactPoint:
    """A national body the crisis cell may have to reach: its name, what for, its public portal."""

    id: str
    name: str
    name_fr: str
    role: str
    role_fr: str
    portal: str

    def name_in(self, language: str) -> str:
        """The body's name in ``language``."""
        return self.name_fr if _french(language) else self.name

    def role_in(self, language: str) -> str:
        """What the body is called for, in ``language``."""
        return self.role_fr if _french(language) else self.role


def _read(path: Path) -> object:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PlaybookError(f"{path.name}: larger than {MAX_BYTES} bytes; refused")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookError(f"{path.name}: cannot read: {error}") from None
    try:
        return read_yaml_text(text, path.name)
    except FrameworkError as error:
        raise PlaybookError(str(error)) from None


def _mapping(value: object, where: str, allowed: set[str], required: set[str]) -> dict[str, object]:
    if not isinstance(value, dict):
        raise PlaybookError(f"{where}: expected a mapping")
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise PlaybookError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(value))
    if missing:
        raise PlaybookError(f"{where}: missing field(s) {', '.join(missing)}")
    return {str(key): item for key, item in value.items()}


def _text(data: dict[str, object], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise PlaybookError(f"{where}.{key}: expected a non-empty text")
    return value.strip()


def _document(data: object, source: str, key: str) -> list[object]:
    top = _mapping(data, source, {"version", key}, {"version", key})
    if top["version"] != 1:
        raise PlaybookError(f"{source}: version: only version 1 is known, not {top['version']!r}")
    items = top[key]
    if not isinstance(items, list) or not items:
        raise PlaybookError(f"{source}: {key}: expected a non-empty list")
    return items


def _target(raw: object, where: str, numbers: dict[str, int]) -> int | None:
    if raw == END:
        return None
    if not isinstance(raw, str) or raw not in numbers:
        raise PlaybookError(f"{where}: unknown step {raw!r} (steps: {', '.join(numbers)}, or {END!r})")
    return numbers[raw]


def _tree(raw: object, where: str) -> DecisionTree:
    data = _mapping(raw, where, _TREE_FIELDS, _TREE_FIELDS)
    raw_steps = data["steps"]
    if not isinstance(raw_steps, list) or not raw_steps:
        raise PlaybookError(f"{where}.steps: expected a non-empty list")
    steps = [_mapping(step, f"{where}.steps[{i}]", _STEP_FIELDS, {"id", "text", "text_fr"})
             for i, step in enumerate(raw_steps)]
    numbers: dict[str, int] = {}
    for i, step in enumerate(steps):
        step_id = _text(step, "id", f"{where}.steps[{i}]")
        if step_id == END or step_id in numbers:
            raise PlaybookError(f"{where}.steps[{i}].id: {step_id!r} is reserved or given twice")
        numbers[step_id] = i + 1
    built = []
    for i, step in enumerate(steps):
        place = f"{where}.steps[{i}]"
        question = "if_yes" in step or "if_no" in step
        if question and not ("if_yes" in step and "if_no" in step):
            raise PlaybookError(f"{place}: a question needs both 'if_yes' and 'if_no'")
        if question and "next" in step:
            raise PlaybookError(f"{place}: a question branches with 'if_yes' and 'if_no', not 'next'")
        following = i + 2 if i + 1 < len(steps) else None
        built.append(Step(
            number=i + 1, id=str(step["id"]), text=_text(step, "text", place), text_fr=_text(step, "text_fr", place),
            question=question,
            yes=_target(step["if_yes"], f"{place}.if_yes", numbers) if question else None,
            no=_target(step["if_no"], f"{place}.if_no", numbers) if question else None,
            next=None if question else (_target(step["next"], f"{place}.next", numbers) if "next" in step
                                        else following),
        ))
    return DecisionTree(id=_text(data, "id", where), title=_text(data, "title", where),
                        title_fr=_text(data, "title_fr", where), when=_text(data, "when", where),
                        when_fr=_text(data, "when_fr", where), steps=tuple(built))


def parse_playbook(data: object, source: str) -> tuple[DecisionTree, ...]:
    """The decision trees of a parsed YAML document; :class:`PlaybookError` naming ``source`` when invalid."""
    trees = [_tree(raw, f"{source}: trees[{i}]") for i, raw in enumerate(_document(data, source, "trees"))]
    seen: set[str] = set()
    for i, tree in enumerate(trees):
        if tree.id in seen:
            raise PlaybookError(f"{source}: trees[{i}].id: {tree.id!r} is given twice")
        seen.add(tree.id)
    return tuple(trees)


def load_playbook(path: Path) -> tuple[DecisionTree, ...]:
    """The decision trees of the file at ``path``."""
    return parse_playbook(_read(path), path.name)


@functools.cache
def shipped_playbook() -> tuple[DecisionTree, ...]:
    """The shipped decision trees (read once)."""
    return load_playbook(FIRST_HOURS)


def parse_contact_points(data: object, source: str) -> tuple[ContactPoint, ...]:
    """The contact points of a parsed YAML document; :class:`PlaybookError` when invalid."""
    contacts = []
    for i, raw in enumerate(_document(data, source, "contacts")):
        where = f"{source}: contacts[{i}]"
        item = _mapping(raw, where, _CONTACT_FIELDS, _CONTACT_FIELDS)
        portal = _text(item, "portal", where, allow_empty=True)
        if portal and not portal.startswith("https://"):
            raise PlaybookError(f"{where}.portal: expected an https:// address or nothing")
        contacts.append(ContactPoint(id=_text(item, "id", where), name=_text(item, "name", where),
                                     name_fr=_text(item, "name_fr", where), role=_text(item, "role", where),
                                     role_fr=_text(item, "role_fr", where), portal=portal))
    return tuple(contacts)


def load_contact_points(path: Path) -> tuple[ContactPoint, ...]:
    """The contact points of the file at ``path``."""
    return parse_contact_points(_read(path), path.name)


@functools.cache
def national_contacts() -> tuple[ContactPoint, ...]:
    """The shipped national contact points (read once)."""
    return load_contact_points(NATIONAL_CONTACTS)
