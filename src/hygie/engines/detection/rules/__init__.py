"""Sigma rules: loading rule packs and compiling them to SQL conditions for DuckDB and Spark.

:func:`load_rules` reads folders, zip files and single files into a :class:`RulePack` (compiled
rules and the failures, each with its reason), with an optional compiled-rule cache;
:func:`compile_collection` compiles an already parsed pySigma collection.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hygie.engines.detection.rules.dialect import DIALECTS, render
from hygie.engines.detection.rules.loader import load_rules, read_rule_files
from hygie.engines.detection.rules.version import COMPILER_VERSION

if TYPE_CHECKING:
    from hygie.engines.detection.rules.backend import (
        RAW_FIELD,
        NeutralSql,
        SqlConditionBackend,
        UnsupportedConstructError,
    )
    from hygie.engines.detection.rules.compiler import (
        MAX_VALUES_PER_RULE,
        compile_collection,
        compile_rule,
        default_backend,
    )

# The compiler and backend need pySigma, slow to import: they load on first use (a hunt on cached
# rules never needs them).
_LAZY = {
    "RAW_FIELD": "backend",
    "NeutralSql": "backend",
    "SqlConditionBackend": "backend",
    "UnsupportedConstructError": "backend",
    "MAX_VALUES_PER_RULE": "compiler",
    "compile_collection": "compiler",
    "compile_rule": "compiler",
    "default_backend": "compiler",
}


def __getattr__(name: str) -> Any:
    """The compiler's and backend's names, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"hygie.engines.detection.rules.{module}"), name)


__all__ = [
    "COMPILER_VERSION",
    "DIALECTS",
    "MAX_VALUES_PER_RULE",
    "RAW_FIELD",
    "NeutralSql",
    "SqlConditionBackend",
    "UnsupportedConstructError",
    "compile_collection",
    "compile_rule",
    "default_backend",
    "load_rules",
    "read_rule_files",
    "render",
]
