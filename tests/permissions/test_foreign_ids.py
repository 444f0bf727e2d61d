"""Ids of another tenant's objects inside a payload are refused, and nothing changes.

For every writing API operation, each id field of its request body (``parent_id``, ``asset_ids``,
``owner_id``...) is set to tenant B's object while group A's administrator sends an otherwise valid
request: the answer is 404 or 422 and the database is untouched. The same holds for every object
choice of the UI forms.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.forms import ModelChoiceField
from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import Role
from hygie.testing.routes import api_components, api_operations, ui_routes
from hygie.testing.world import KINDS, MARK_B, World, database_fingerprint

from .matrix import api_url, body, ui_url
from .registry import API_ROUTES, FOREIGN_ID_FIELDS, KNOWN_FOREIGN_ID_GAPS, UI_FOREIGN_ID_FIELDS, UI_ROUTES
from .specs import RouteSpec


def _api_params() -> list[Any]:
    components = api_components()
    params = []
    for op in api_operations():
        spec = API_ROUTES.get(op.key)
        if spec is None or op.method == "GET" or spec.data is None:
            continue
        params += [pytest.param(op.key, spec, field, id=f"{op.method} {op.path} {field}")
                   for field in op.body_schema(components).get("properties", {}) if field in FOREIGN_ID_FIELDS]
    return params


def _form_class(name: str) -> Any:
    route = next((r for r in ui_routes() if r.name == name), None)
    return getattr(getattr(route.view, "view_class", None), "form_class", None) if route else None


def form_object_fields(name: str) -> dict[str, str]:
    """Model choice fields of a UI route's form class, with their kind of world object."""
    form_class = _form_class(name)
    fields: dict[str, str] = {}
    for field_name, field in (form_class.base_fields.items() if form_class else ()):
        if isinstance(field, ModelChoiceField):
            # Forms that build their choices at run time have no queryset yet: go by the field's name.
            label = field.queryset.model._meta.label if field.queryset is not None else ""
            fields[field_name] = KINDS.get(label) or UI_FOREIGN_ID_FIELDS.get(field_name, label or field_name)
    return fields


def _ui_params() -> list[Any]:
    params = []
    for (name, method), spec in UI_ROUTES.items():
        if method != "POST" or spec.data is None or spec.public:
            continue
        gap = KNOWN_FOREIGN_ID_GAPS.get(name)
        marks = [pytest.mark.xfail(reason=f"known gap: {gap}", strict=True)] if gap else []
        params.append(pytest.param(name, spec, id=name, marks=marks))
    return params


class TestForeignIdsInApiPayloads:
    """An API payload naming tenant B's object is refused with 404/422 and changes nothing."""

    @pytest.mark.parametrize(("key", "spec", "field"), _api_params())
    def test_refused(self, key: tuple[str, str], spec: RouteSpec, field: str, world: World) -> None:
        method, path = key
        payload = spec.data(world) if spec.data else {}
        foreign = world.pk(FOREIGN_ID_FIELDS[field], "b")
        payload[field] = [foreign] if field.endswith("_ids") else foreign
        _token, token = ApiToken.issue(world.user(Role.ADMINISTRATOR), "foreign-ids")
        client = Client(headers={"Authorization": f"Bearer {token}"})
        before = database_fingerprint()
        response = getattr(client, method.lower())(api_url(path, spec, world, "a"), payload,
                                                   content_type="application/json")
        assert response.status_code in {404, 422}, f"{method} {path} {field}: {response.status_code} {body(response)}"
        assert before == database_fingerprint()
        assert MARK_B not in body(response)


class TestForeignIdsInForms:
    """A form choice naming tenant B's object is refused (the choice is invalid) and changes nothing."""

    @pytest.mark.parametrize(("name", "spec"), _ui_params())
    def test_refused(self, name: str, spec: RouteSpec, world: World) -> None:
        valid = spec.data(world) if spec.data else {}
        fields = {**form_object_fields(name),
                  **{key: UI_FOREIGN_ID_FIELDS[key] for key in valid if key in UI_FOREIGN_ID_FIELDS}}
        client = Client()
        client.force_login(world.user(Role.ADMINISTRATOR))
        for field, kind in fields.items():
            assert kind in KINDS.values(), f"{name}: add the model {kind} of field {field} to hygie.testing.world"
            data = spec.data(world) if spec.data else {}
            foreign = world.pk(kind, "b")
            data[field] = [foreign] if isinstance(data.get(field), list) else foreign
            before = database_fingerprint()
            response = client.post(ui_url(name, spec, world, "a"), data)
            assert response.status_code in {400, 404, 422}, f"{name} {field}: {response.status_code}"
            assert before == database_fingerprint(), f"{name} {field}: changed the database"
            assert MARK_B not in body(response), f"{name} {field}: the answer shows tenant B's data"
