"""The frameworks Hygie ships (``data/*.yaml``) and loading any framework file in our format."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hygie.frameworks.errors import FrameworkError
from hygie.frameworks.schema import Framework, validate_framework
from hygie.frameworks.yaml_reader import read_yaml

__all__ = [
    "DATA_DIR",
    "FrameworkError",
    "engine_check_ids",
    "load_framework",
    "shipped",
    "shipped_framework",
    "unknown_checks",
]

#: Where the shipped framework files live; each is named after its framework id (``care_d2.yaml``).
DATA_DIR = Path(__file__).resolve().parent / "data"


def load_framework(path: Path | str) -> Framework:
    """Load and validate one framework file in our format.

    Raises :class:`FrameworkError` naming the file for a missing or unreadable file, malformed
    YAML (with line and column), a duplicate key, a field of the wrong type, a duplicate id, or a
    section, parent or level that does not exist.
    """
    path = Path(path)
    return validate_framework(read_yaml(path), str(path))


@cache
def _shipped() -> tuple[Framework, ...]:
    frameworks = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        framework = load_framework(path)
        if framework.id != path.stem:
            msg = f"{path}: framework id '{framework.id}' differs from the file name; name it {framework.id}.yaml"
            raise FrameworkError(msg)
        frameworks.append(framework)
    return tuple(frameworks)


def shipped() -> list[Framework]:
    """Every framework shipped with Hygie, sorted by id (files are read once per process)."""
    return list(_shipped())


def shipped_framework(framework_id: str) -> Framework:
    """The shipped framework with this id; :class:`FrameworkError` lists the known ids otherwise."""
    for framework in _shipped():
        if framework.id == framework_id:
            return framework
    known = ", ".join(framework.id for framework in _shipped())
    msg = f"no shipped framework '{framework_id}' (shipped: {known})"
    raise FrameworkError(msg)


def engine_check_ids() -> frozenset[str]:
    """Ids of every check registered by the engines whose findings can serve as evidence."""
    # Imported here: the check modules pull the engines' dependencies (Polars, SciPy...), which
    # reading a framework file does not need.
    import hygie.engines.continuity.checks
    import hygie.engines.directory.checks
    import hygie.engines.exposure.checks  # noqa: F401 - imported for their registrations
    from hygie.engines.continuity.registry import CHECKS as CONTINUITY
    from hygie.engines.directory.registry import CHECKS as DIRECTORY
    from hygie.engines.exposure.registry import CHECKS as EXPOSURE

    return frozenset([*DIRECTORY.ids(), *EXPOSURE.ids(), *CONTINUITY.ids()])


def unknown_checks(framework: Framework, known: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """``(requirement id, check id)`` for each check a requirement names that no engine registers."""
    registered = engine_check_ids() if known is None else known
    return [
        (requirement.id, check)
        for requirement in framework.requirements
        for check in requirement.checks
        if check not in registered
    ]
