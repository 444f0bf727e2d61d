"""Reading framework YAML safely: size cap, UTF-8, safe loader, duplicate keys refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hygie.frameworks.errors import FrameworkError

__all__ = ["MAX_FILE_BYTES", "MAX_VALUES", "read_yaml", "read_yaml_text"]

#: Largest framework file read. The biggest published libraries weigh a few MiB; more is a mistake.
MAX_FILE_BYTES = 32 * 1024 * 1024

#: Most values (mappings, lists, scalars) a document may expand to. YAML aliases can make a small
#: file expand to billions of values ("billion laughs"); the largest real libraries hold ~100,000.
MAX_VALUES = 2_000_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]  # the C loader is chosen at run time
    """Safe loader that refuses a mapping key given twice (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict | set):
            mark = key_node.start_mark
            msg = f"line {mark.line + 1}, column {mark.column + 1}: a mapping key must be a plain value"
            raise FrameworkError(msg)
        if key in mapping:
            mark = key_node.start_mark
            msg = f"line {mark.line + 1}, column {mark.column + 1}: key {key!r} appears twice in the same mapping"
            raise FrameworkError(msg)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_expansion(document: object, origin: str) -> None:
    """Refuse a document whose values, counted through every alias, exceed :data:`MAX_VALUES`."""
    pending, seen = [document], 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > MAX_VALUES:
            msg = f"{origin}: more than {MAX_VALUES} values once YAML aliases are expanded; refused"
            raise FrameworkError(msg)
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def read_yaml_text(text: str, origin: str) -> object:
    """Parse YAML ``text``; errors become :class:`FrameworkError` naming ``origin`` and the line."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except FrameworkError as error:
        raise FrameworkError(f"{origin}: {error}") from None
    except yaml.MarkedYAMLError as error:
        where = ""
        if error.problem_mark is not None:
            where = f"line {error.problem_mark.line + 1}, column {error.problem_mark.column + 1}: "
        problem = error.problem or str(error)
        raise FrameworkError(f"{origin}: malformed YAML: {where}{problem}") from None
    except yaml.YAMLError as error:
        raise FrameworkError(f"{origin}: malformed YAML: {error}") from None
    _check_expansion(document, origin)
    return document


def read_yaml(path: Path) -> object:
    """Read and parse the YAML file at ``path`` (at most :data:`MAX_FILE_BYTES`, UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            msg = f"{path}: file is {size} bytes, more than the {MAX_FILE_BYTES} allowed for a framework"
            raise FrameworkError(msg)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FrameworkError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FrameworkError(f"{path}: is a directory, not a framework file") from None
    except OSError as error:
        raise FrameworkError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FrameworkError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return read_yaml_text(text, str(path))
