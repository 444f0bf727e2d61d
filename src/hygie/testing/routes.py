"""Every route Hygie serves, discovered rather than listed, for the permission matrix.

The web UI routes come from Django's URL resolver, the REST API operations from the OpenAPI
schema of ``hygie.web.api.api``. The permission matrix compares both against its registry of
specifications, so that a route added without a specification makes the suite fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

__all__ = [
    "API_NAMESPACE",
    "ApiOperation",
    "UiRoute",
    "api_components",
    "api_operations",
    "api_paths_outside_schema",
    "ui_routes",
]

#: Namespace under which django-ninja mounts the REST API in the URL resolver.
API_NAMESPACE = "api"

_HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class UiRoute:
    """One named URL pattern of the web UI and the HTTP methods its view answers."""

    name: str
    route: str
    methods: tuple[str, ...]
    view: Any

    @property
    def keys(self) -> list[tuple[str, str]]:
        """``(name, METHOD)`` pairs, the keys of the registry."""
        return [(self.name, method) for method in self.methods]


@dataclass(frozen=True)
class ApiOperation:
    """One operation of the REST API, as the OpenAPI schema declares it."""

    method: str
    path: str
    operation: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        """``(METHOD, path)``, the key of the registry."""
        return (self.method, self.path)

    @property
    def path_parameters(self) -> list[str]:
        """Names of the ``{placeholders}`` of the path."""
        return re.findall(r"{(\w+)}", self.path)

    def body_schema(self, components: dict[str, Any]) -> dict[str, Any]:
        """The JSON schema of the request body, ``$ref`` resolved one level; {} without a body."""
        content = self.operation.get("requestBody", {}).get("content", {})
        schema: dict[str, Any] = content.get("application/json", {}).get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            return components.get(ref.rsplit("/", 1)[1], {})
        return schema


def _view_methods(callback: Any) -> tuple[str, ...]:
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        # A function view does not declare its methods: the registry names them.
        return ()
    return tuple(m.upper() for m in _HTTP_METHODS if m in view_class.http_method_names and hasattr(view_class, m))


def _walk(patterns: list[Any], prefix: str, namespace: str) -> list[tuple[str, str, URLPattern]]:
    found: list[tuple[str, str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p) if pattern.namespace else namespace
            found.extend(_walk(pattern.url_patterns, prefix + str(pattern.pattern), inner))
        else:
            found.append((namespace, prefix + str(pattern.pattern), pattern))
    return found


def _all_patterns() -> list[tuple[str, str, URLPattern]]:
    return _walk(get_resolver().url_patterns, "", "")


def ui_routes() -> list[UiRoute]:
    """Every URL pattern outside the REST API namespace; an unnamed one is named by its route."""
    routes = []
    for namespace, route, pattern in _all_patterns():
        if namespace == API_NAMESPACE or namespace.startswith(API_NAMESPACE + ":"):
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
        routes.append(UiRoute(name=name, route=route, methods=_view_methods(pattern.callback), view=pattern.callback))
    return routes


def _openapi_path(route: str) -> str:
    return "/" + _CONVERTER.sub(r"{\1}", route)


def _schema() -> dict[str, Any]:
    from hygie.web.api import api

    return api.get_openapi_schema()


def _schema_paths() -> set[str]:
    return set(_schema().get("paths", {}))


def api_operations() -> list[ApiOperation]:
    """Every operation of the OpenAPI schema."""
    operations = []
    for path, item in _schema().get("paths", {}).items():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                operations.append(ApiOperation(method=method.upper(), path=path, operation=operation))
    return operations


def api_components() -> dict[str, Any]:
    """The ``components/schemas`` section of the OpenAPI schema."""
    return _schema().get("components", {}).get("schemas", {})


def api_paths_outside_schema(framework: set[str]) -> list[str]:
    """API URL patterns that are neither an operation of the schema nor a known framework route.

    An operation declared with ``include_in_schema=False`` would otherwise escape the matrix.
    """
    paths = _schema_paths()
    return sorted(
        route for namespace, route, pattern in _all_patterns()
        if namespace == API_NAMESPACE and _openapi_path(route) not in paths and pattern.name not in framework
    )
