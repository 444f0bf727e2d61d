"""Property-based tests of the REST API against its own OpenAPI schema (schemathesis).

Each operation is called with generated parameters and bodies, authenticated as a manager of
group A, with both tenants' data in the database. No call may end in a server error, and every
answer must match the schema (status, content type, body). Generated ids mostly name nothing,
so each case is also replayed with its path ids pointing at tenant A's real objects.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import Role
from hygie.testing.world import World
from hygie.web.api import api
from hygie.web.wsgi import application
from tests.permissions.registry import API_ROUTES

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())

CHECKS = [not_a_server_error, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def test_transaction_kept() -> Any:
    """Keep Django from closing the test's connection at the end of each WSGI request.

    Django's own test client does the same: at request end it would otherwise close a connection
    whose autocommit is off, i.e. the one holding the test transaction (PostgreSQL).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(world: World) -> str:
    """A bearer token of group A's manager."""
    _token, key = ApiToken.issue(world.user(Role.MANAGER), "schemathesis")
    return key


def _real_ids(case: Any, world: World) -> dict[str, Any] | None:
    spec = API_ROUTES.get((case.method.upper(), case.operation.path))
    if spec is None or not spec.target or not case.path_parameters:
        return None
    return dict.fromkeys(case.path_parameters, world.pk(spec.target))


class TestApiSchema:
    """Generated requests never cause a server error and every answer conforms to the OpenAPI schema."""

    @schema.parametrize()
    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    def test_operation(self, case: Any, world: World, manager_token: str, test_transaction_kept: Any) -> None:
        headers = {"Authorization": f"Bearer {manager_token}"}
        case.call_and_validate(app=application, headers=headers, checks=CHECKS)
        real = _real_ids(case, world)
        if real is not None:
            case.path_parameters = real
            case.call_and_validate(app=application, headers=headers, checks=CHECKS)
