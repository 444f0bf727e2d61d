"""The route registry covers every route: a route added without being covered makes the suite fail."""

from __future__ import annotations

from typing import Any

from hygie.testing.routes import api_components, api_operations, api_paths_outside_schema, ui_routes
from hygie.web.views import ObjectListView

from .registry import API_FRAMEWORK_ROUTES, API_ROUTES, FOREIGN_ID_FIELDS, SKIPPED_UI, UI_ROUTES

HINT = "add it to tests/permissions/registry.py (action needed, object in the URL, payload when it writes)"


class TestUiRegistry:
    """Every URL pattern and HTTP method of the web UI has a permission spec, and every spec a route."""

    def test_every_route_has_a_spec(self) -> None:
        missing = []
        for route in ui_routes():
            if route.name in SKIPPED_UI:
                continue
            if route.methods:
                missing += [f"{method} {route.name} ({route.route})" for name, method in route.keys
                            if (name, method) not in UI_ROUTES]
            elif not any(name == route.name for name, _method in UI_ROUTES):
                missing.append(f"{route.name} ({route.route}), a function view: name its methods")
        assert [] == missing, f"UI routes without a permission spec; {HINT}: {missing}"

    def test_every_spec_names_a_route(self) -> None:
        served = {route.name: route for route in ui_routes()}
        stale = [f"{method} {name}" for name, method in UI_ROUTES
                 if name not in served or (served[name].methods and method not in served[name].methods)]
        stale += [name for name in SKIPPED_UI if name not in served]
        assert [] == stale, f"registry entries for routes that no longer exist: {stale}"

    def test_lists_are_declared_as_lists(self) -> None:
        """A list view is declared ``listing()`` so its rows and its CSV export are checked for leaks."""
        undeclared = [
            route.name for route in ui_routes()
            if isinstance(getattr(route.view, "view_class", None), type)
            and issubclass(route.view.view_class, ObjectListView)
            and (route.name, "GET") in UI_ROUTES and not UI_ROUTES[(route.name, "GET")].listing
        ]
        assert [] == undeclared


class TestApiRegistry:
    """Every operation of the REST API has a permission spec, and every spec an operation."""

    def test_every_operation_has_a_spec(self) -> None:
        missing = [f"{op.method} {op.path}" for op in api_operations() if op.key not in API_ROUTES]
        assert [] == missing, f"API operations without a permission spec; {HINT}: {missing}"

    def test_every_spec_names_an_operation(self) -> None:
        served = {op.key for op in api_operations()}
        stale = [f"{method} {path}" for method, path in API_ROUTES if (method, path) not in served]
        assert [] == stale, f"registry entries for operations that no longer exist: {stale}"

    def test_no_operation_hides_from_the_schema(self) -> None:
        """An operation left out of the OpenAPI schema would escape the matrix: there is none."""
        assert [] == api_paths_outside_schema(set(API_FRAMEWORK_ROUTES))

    def test_framework_routes_exist(self) -> None:
        """The framework routes named in the registry are still served."""
        from django.urls import reverse

        assert [path for path, _spec in API_FRAMEWORK_ROUTES.values()] == [
            reverse(f"api:{name}") for name in API_FRAMEWORK_ROUTES
        ]

    def test_object_operations_name_their_object(self) -> None:
        """An operation with a path parameter declares which kind of object it names."""
        unnamed = [f"{op.method} {op.path}" for op in api_operations()
                   if op.path_parameters and op.key in API_ROUTES
                   and not (API_ROUTES[op.key].target or API_ROUTES[op.key].args)]
        assert [] == unnamed

    def test_id_fields_of_payloads_are_known(self) -> None:
        """Each id field of a request body maps to a kind of object, so foreign ids in it are tested."""
        components = api_components()
        unknown = [
            f"{op.method} {op.path}: {name}" for op in api_operations()
            for name in _properties(op.body_schema(components))
            if (name.endswith(("_id", "_ids"))) and name not in FOREIGN_ID_FIELDS
        ]
        assert [] == unknown, f"add these fields to FOREIGN_ID_FIELDS in tests/permissions/registry.py: {unknown}"


def _properties(schema: dict[str, Any]) -> list[str]:
    return list(schema.get("properties", {}))
