"""Fail when an engine imports Django or the platform: engines must run alone, on files.

Checks every ``import`` statement under ``src/hygie/engines`` (including lazy imports inside
functions) with the AST, so a string mentioning Django in a docstring is not a false alarm.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ROOT / "src" / "hygie" / "engines"
# Django itself, its ecosystem, and the parts of Hygie that need Django.
FORBIDDEN = ("django", "ninja", "django_htmx", "django_filters", "django_tasks", "django_tasks_db",
             "hygie.apps", "hygie.web", "hygie.cli", "hygie.demo", "hygie.testing")


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def violations(engines: Path = ENGINES) -> list[str]:
    """``path:line: module`` for every forbidden import."""
    found = []
    for path in sorted(engines.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            found.extend(
                f"{path.relative_to(ROOT)}:{node.lineno}: imports {module}"
                for module in modules
                if _forbidden(module)
            )
    return found


def main() -> int:
    """Print violations; exit 1 when there are any."""
    found = violations()
    for line in found:
        print(line)
    if not found:
        print("engine imports: ok (no Django under src/hygie/engines)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
