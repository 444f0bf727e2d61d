"""Importer of CISO Assistant's library YAML format into our :class:`~hygie.frameworks.schema.Framework`.

CISO Assistant (intuitem) publishes 200+ frameworks as YAML "libraries". What this importer reads
of that format, from its public documentation (``tools/README.md`` of the community repository,
"Designing your own libraries" in its documentation):

- the library at the top level: ``urn``, ``locale``, ``ref_id``, ``name``, ``description``,
  ``copyright``, ``version``, ``provider``, ``packager``, optional ``translations`` and the
  library content under ``objects``;
- ``objects.framework``: ``urn``, ``ref_id``, ``name``, ``description`` and ``requirement_nodes``,
  a flat list of tree nodes in document order, each with a ``urn``, ``assessable`` (only assessable
  nodes are requirements; the others structure the tree), ``depth`` (1 at the top), an optional
  ``parent_urn``, ``ref_id``, ``name``, ``description`` and ``translations`` (``{fr: {name: ...}}``).

Mapping: non-assessable nodes become sections, assessable ones requirements (an assessable node
under another assessable node keeps it as ``parent``); requirements at the top level go into one
section named after the framework. Ids are the nodes' ``ref_id`` (characters outside our id
alphabet become ``-``), or the end of their URN when the ``ref_id`` is missing or already used;
every element keeps its URN as ``external_id``. The library's wording is kept as is: ``title``
is the English name when the library has one, ``title_fr`` the French one. Threats, reference
controls, scores and answers are not imported. No engine check is mapped: a person adds them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hygie.frameworks.errors import FrameworkError
from hygie.frameworks.schema import Framework, validate_framework
from hygie.frameworks.yaml_reader import read_yaml, read_yaml_text

__all__ = ["framework_from_library", "import_library", "import_library_text"]

_ID_MAX = 64
_TITLE_MAX = 120
_NOT_ID_CHAR = re.compile(r"[^A-Za-z0-9_.\-]+")
_NOT_FRAMEWORK_ID_CHAR = re.compile(r"[^a-z0-9]+")


def import_library(path: Path | str, *, framework_id: str | None = None) -> Framework:
    """Read a CISO Assistant library file and return its framework in our format.

    ``framework_id`` overrides the id derived from the framework's ``ref_id``. Raises
    :class:`FrameworkError` naming the file and the node at fault.
    """
    path = Path(path)
    return framework_from_library(read_yaml(path), str(path), framework_id=framework_id)


def import_library_text(text: str, origin: str = "<library>", *, framework_id: str | None = None) -> Framework:
    """Same as :func:`import_library`, from the YAML text of a library (an upload, a test)."""
    return framework_from_library(read_yaml_text(text, origin), origin, framework_id=framework_id)


def framework_from_library(library: object, origin: str, *, framework_id: str | None = None) -> Framework:
    """Convert a parsed CISO Assistant library (a mapping) into a :class:`Framework`."""
    if not isinstance(library, dict) or not isinstance(library.get("urn"), str) or "objects" not in library:
        msg = f"{origin}: not a CISO Assistant library (its top level needs a 'urn' and 'objects')"
        raise FrameworkError(msg)
    where = f"{origin}: library '{library['urn']}'"
    framework = _framework_object(library, where)
    locale = _text(library, "locale", where) or "en"
    nodes = _nodes(framework, where)
    data = _Converter(nodes, locale, where).convert(_framework_name(library, framework, locale, where))
    data.update(
        id=framework_id or _framework_id(library, framework),
        version=_text(library, "version", where) or "unversioned",
        source=_source(library, where),
        language=locale.split("-")[0].split("_")[0].lower(),
        description=_text(framework, "description", where) or _text(library, "description", where),
    )
    return validate_framework(data, origin)


def _framework_object(library: dict[str, Any], where: str) -> dict[str, Any]:
    objects = library["objects"]
    found = objects.get("framework") if isinstance(objects, dict) else None
    if isinstance(found, list) and len(found) == 1:
        found = found[0]
    if found is None:
        msg = f"{where}: holds no framework (objects.framework is missing: a risk matrix, threat or mapping library?)"
        raise FrameworkError(msg)
    if not isinstance(found, dict):
        msg = f"{where}: objects.framework must be one mapping (urn, name, requirement_nodes...)"
        raise FrameworkError(msg)
    return found


def _text(node: dict[str, Any], key: str, where: str) -> str | None:
    """A text field of a node; numbers are accepted (``ref_id: 12``), mappings and lists are not."""
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return str(value)
    if not isinstance(value, str):
        msg = f"{where}: '{key}' must be text, not {type(value).__name__}"
        raise FrameworkError(msg)
    return value.strip() or None


def _translated(node: dict[str, Any], locale: str, key: str, where: str) -> str | None:
    translations = node.get("translations")
    if not isinstance(translations, dict) or not isinstance(translations.get(locale), dict):
        return None
    return _text(translations[locale], key, f"{where}: translations.{locale}")


def _framework_name(library: dict[str, Any], framework: dict[str, Any], locale: str, where: str) -> dict[str, str]:
    name = _text(framework, "name", where) or _text(library, "name", where)
    if name is None:
        msg = f"{where}: the framework has no name"
        raise FrameworkError(msg)
    return _titles(name, framework, locale, where, field="name")


def _titles(text: str, node: dict[str, Any], locale: str, where: str, *, field: str) -> dict[str, str]:
    """``{field: English, field_fr: French}`` from the library's locale and the node's translations."""
    english = text if locale.startswith("en") else _translated(node, "en", "name", where)
    french = text if locale.startswith("fr") else _translated(node, "fr", "name", where)
    titles = {field: english or text}
    if french:
        titles[f"{field}_fr"] = french
    return titles


def _nodes(framework: dict[str, Any], where: str) -> list[dict[str, Any]]:
    nodes = framework.get("requirement_nodes")
    if not isinstance(nodes, list) or not nodes:
        msg = f"{where}: the framework has no requirement_nodes list"
        raise FrameworkError(msg)
    seen: set[str] = set()
    for index, node in enumerate(nodes, start=1):
        if not isinstance(node, dict) or not isinstance(node.get("urn"), str) or not node["urn"].strip():
            msg = f"{where}: requirement node #{index} has no 'urn'"
            raise FrameworkError(msg)
        urn = node["urn"]
        if urn in seen:
            msg = f"{where}: requirement node '{urn}' appears twice"
            raise FrameworkError(msg)
        seen.add(urn)
        if not isinstance(node.get("assessable", False), bool):
            msg = f"{where}: requirement node '{urn}': 'assessable' must be true or false"
            raise FrameworkError(msg)
        parent = node.get("parent_urn")
        if parent is not None and not isinstance(parent, str):
            msg = f"{where}: requirement node '{urn}': 'parent_urn' must be a URN"
            raise FrameworkError(msg)
    for node in nodes:
        parent = node.get("parent_urn")
        if parent is not None and parent not in seen:
            msg = f"{where}: requirement node '{node['urn']}': parent_urn '{parent}' is not a node of this framework"
            raise FrameworkError(msg)
    return nodes


def _id_from(text: str) -> str:
    cleaned = _NOT_ID_CHAR.sub("-", text.strip()).lstrip("-._")
    return cleaned[:_ID_MAX].rstrip("-._")


class _Converter:
    """Turns the flat node list into our sections and requirements (one pass per concern)."""

    def __init__(self, nodes: list[dict[str, Any]], locale: str, where: str) -> None:
        self.nodes = nodes
        self.locale = locale
        self.where = where
        self.by_urn = {node["urn"]: node for node in nodes}
        self.ids: dict[str, str] = {}
        self._check_cycles()

    def _check_cycles(self) -> None:
        for node in self.nodes:
            seen = {node["urn"]}
            parent = node.get("parent_urn")
            while parent is not None:
                if parent in seen:
                    msg = f"{self.where}: requirement node '{node['urn']}': its parent_urn chain loops"
                    raise FrameworkError(msg)
                seen.add(parent)
                parent = self.by_urn[parent].get("parent_urn")

    def _assign_ids(self) -> None:
        taken: set[str] = set()
        for node in self.nodes:
            where = f"{self.where}: requirement node '{node['urn']}'"
            urn_tail = _id_from(node["urn"].rsplit(":", 1)[-1])
            candidates = [_id_from(_text(node, "ref_id", where) or ""), urn_tail]
            chosen = next((candidate for candidate in candidates if candidate and candidate not in taken), "")
            base, suffix = chosen or urn_tail or "node", 2
            while not chosen or chosen in taken:
                chosen = f"{base[: _ID_MAX - 6]}-{suffix}"
                suffix += 1
            taken.add(chosen)
            self.ids[node["urn"]] = chosen

    def _ancestor(self, node: dict[str, Any], *, assessable: bool) -> str | None:
        """Id of the nearest ancestor with this ``assessable`` value (``None`` at the top)."""
        parent = node.get("parent_urn")
        while parent is not None:
            candidate = self.by_urn[parent]
            if bool(candidate.get("assessable", False)) is assessable:
                return self.ids[parent]
            if assessable:
                return None  # a requirement's parent must be its direct parent
            parent = candidate.get("parent_urn")
        return None

    def _element(self, node: dict[str, Any]) -> dict[str, Any]:
        where = f"{self.where}: requirement node '{node['urn']}'"
        name = _text(node, "name", where)
        description = _text(node, "description", where)
        ref_id = _text(node, "ref_id", where)
        title = name or _shorten(description) or ref_id or self.ids[node["urn"]]
        element: dict[str, Any] = {"id": self.ids[node["urn"]], "external_id": node["urn"], "title": title}
        if name:
            element.update(_titles(name, node, self.locale, where, field="title"))
        if description and (name or len(description) > _TITLE_MAX):
            element["description"] = description
            if not self.locale.startswith("fr"):
                french = _translated(node, "fr", "description", where)
                if french:
                    element["description_fr"] = french
        return element

    def convert(self, names: dict[str, str]) -> dict[str, Any]:
        """The framework as a mapping in our format (without id, version, source, language)."""
        self._assign_ids()
        sections: list[dict[str, Any]] = []
        requirements: list[dict[str, Any]] = []
        root: dict[str, Any] | None = None
        for node in self.nodes:
            element = self._element(node)
            if not node.get("assessable", False):
                element["parent"] = self._ancestor(node, assessable=False)
                sections.append(element)
                continue
            section = self._ancestor(node, assessable=False)
            if section is None:
                if root is None:
                    root = {"id": self._root_id(), "title": names["name"]}
                    if "name_fr" in names:
                        root["title_fr"] = names["name_fr"]
                section = root["id"]
            element.update(section=section, parent=self._ancestor(node, assessable=True))
            requirements.append(element)
        if root is not None:
            sections.insert(0, root)
        if not requirements:
            msg = f"{self.where}: no requirement node is assessable: nothing to assess"
            raise FrameworkError(msg)
        return {**names, "sections": sections, "requirements": requirements}

    def _root_id(self) -> str:
        taken = set(self.ids.values())
        candidate, suffix = "framework", 2
        while candidate in taken:
            candidate, suffix = f"framework-{suffix}", suffix + 1
        return candidate


def _shorten(text: str | None) -> str | None:
    if text is None:
        return None
    first = text.strip().splitlines()[0].strip()
    return first if len(first) <= _TITLE_MAX else first[: _TITLE_MAX - 1].rstrip() + "…"


def _framework_id(library: dict[str, Any], framework: dict[str, Any]) -> str:
    for raw in (framework.get("ref_id"), library.get("ref_id"), str(framework.get("urn", "")).rsplit(":", 1)[-1]):
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            slug = _NOT_FRAMEWORK_ID_CHAR.sub("_", str(raw).lower()).strip("_")
            if slug:
                return (slug if slug[0].isalpha() else f"f_{slug}")[:_ID_MAX]
    return "imported"


def _source(library: dict[str, Any], where: str) -> dict[str, str]:
    provider = _text(library, "provider", where)
    name = _text(library, "name", where) or library["urn"]
    reference = f"{name} ({provider})" if provider else name
    source = {"reference": f"{reference}, imported from CISO Assistant library {library['urn']}"}
    copyright_notice = _text(library, "copyright", where)
    if copyright_notice:
        source["note"] = f"Copyright: {copyright_notice}"
    return source
