"""The permission matrix over every route of the web UI and every operation of the REST API.

One test per route and case (see ``tests/permissions/matrix.py`` for the cases); the routes and
their contracts come from ``tests/permissions/registry.py``, whose completeness
``test_registry.py`` checks.
"""

from __future__ import annotations

from typing import Any

import pytest

from hygie.testing.world import World

from . import matrix
from .registry import API_FRAMEWORK_ROUTES, API_ROUTES, KNOWN_GAPS, UI_ROUTES
from .specs import RouteSpec


def _known_gap(key: tuple[str, str], case: str) -> list[Any]:
    reason = KNOWN_GAPS.get((key, case))
    return [pytest.mark.xfail(reason=f"known gap: {reason}", strict=True)] if reason else []


def _params(surface: str, routes: dict[tuple[str, str], RouteSpec]) -> list[Any]:
    params = []
    for key, spec in routes.items():
        method = key[1] if surface == matrix.UI else key[0]
        name = key[0] if surface == matrix.UI else key[1]
        params.extend(
            pytest.param(key, spec, case, id=f"{method} {name} {case}", marks=_known_gap(key, case))
            for case in matrix.cases_for(surface, spec, method)
        )
    return params


class TestUiPermissionMatrix:
    """Every UI route refuses the anonymous, the roleless, the too weak and the other tenant, and serves the rest."""

    @pytest.mark.parametrize(("key", "spec", "case"), _params(matrix.UI, UI_ROUTES))
    def test_route(self, key: tuple[str, str], spec: RouteSpec, case: str, world: World) -> None:
        matrix.run(matrix.UI, key, spec, case, world)


class TestApiPermissionMatrix:
    """Every API operation answers 401, 403 or 404 to those who may not, and serves those who may."""

    @pytest.mark.parametrize(("key", "spec", "case"), _params(matrix.API, API_ROUTES))
    def test_operation(self, key: tuple[str, str], spec: RouteSpec, case: str, world: World) -> None:
        matrix.run(matrix.API, key, spec, case, world)


class TestApiFrameworkRoutes:
    """The API's schema and documentation are public; its root serves nothing."""

    @pytest.mark.parametrize(("name", "path", "spec"), [
        pytest.param(name, path, spec, id=name) for name, (path, spec) in API_FRAMEWORK_ROUTES.items()
    ])
    def test_anonymous(self, name: str, path: str, spec: RouteSpec, client: Any, db: Any) -> None:
        response = client.get(path)
        assert response.status_code in spec.success, f"{name}: {response.status_code}"
