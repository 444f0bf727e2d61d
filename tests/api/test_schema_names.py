"""Every request and response schema of the API has a name of its own.

The OpenAPI document names its components after the schema classes: two apps each declaring an
``ApplicationOut`` would share one component, and one route would document (and be fuzzed
against) the other's shape. Ninja does not refuse it, so this test does.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import hygie.apps


def _schema_classes() -> dict[str, set[str]]:
    """Schema class name -> the modules declaring a class of that name."""
    importlib.import_module("hygie.web.api")  # loads the apps' api modules in the order they expect
    declared: dict[str, set[str]] = defaultdict(set)
    for app in pkgutil.iter_modules(hygie.apps.__path__):
        for module_name in ("schemas", "api"):
            try:
                module = importlib.import_module(f"hygie.apps.{app.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                    declared[value.__name__].add(module.__name__)
    return declared


def test_schema_class_names_are_unique_across_apps() -> None:
    """No two schema classes of the apps share a name."""
    declared = _schema_classes()
    assert len(declared) > 50  # the walk found the apps' schemas
    clashes = {name: sorted(modules) for name, modules in declared.items() if len(modules) > 1}
    assert {} == clashes


def test_openapi_components_are_the_schemas() -> None:
    """Each component of the OpenAPI document comes from exactly one schema class."""
    from hygie.web.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert "FundingApplicationOut" in components
    assert "ApplicationOut" in components
    assert components["ApplicationOut"]["properties"].keys() != components["FundingApplicationOut"]["properties"].keys()
