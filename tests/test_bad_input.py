"""Bad input gets a clear 4xx answer, never a server error, and changes nothing.

Wrong FINESS numbers, malformed JSON, oversized bodies on every writing API operation; hostile
names (markup, spreadsheet formulas) are escaped in every HTML list and neutralised in every CSV export.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import Role
from hygie.apps.organizations.models import Node
from hygie.testing.world import World, database_fingerprint

from .permissions.matrix import api_url, body
from .permissions.registry import API_ROUTES, UI_ROUTES

WRITES = [pytest.param(key, spec, id=f"{key[0]} {key[1]}") for key, spec in API_ROUTES.items() if key[0] != "GET"]
JSON_BODIES = [pytest.param(key, spec, id=f"{key[0]} {key[1]}") for key, spec in API_ROUTES.items()
               if key[0] != "GET" and spec.data is not None and spec.content == "json"]
LISTS = [pytest.param(name, id=name) for (name, method), spec in UI_ROUTES.items() if spec.listing and method == "GET"]
SCRIPT = "<script>alert('zq')</script>"
FORMULA = '=HYPERLINK("http://attacker.invalid","zq")'


def _api(world: World, role: str = Role.ADMINISTRATOR) -> Client:
    _token, key = ApiToken.issue(world.user(role), "bad-input")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _ui(world: World) -> Client:
    client = Client()
    client.force_login(world.user(Role.ADMINISTRATOR))
    return client


class TestWrongFiness:
    """A FINESS number failing its check key is refused with the reason, through the API and the form."""

    def test_api(self, world: World) -> None:
        client = _api(world)
        before = database_fingerprint()
        response = client.post("/api/organizations/nodes", {
            "kind": "establishment", "name": "Clinique fausse", "parent_id": world.tenants.group_a.pk,
            "finess_ej": "750712185",
        }, content_type="application/json")
        assert 422 == response.status_code
        assert "check key" in body(response)
        assert "finess_ej" in body(response)
        assert before == database_fingerprint()

    def test_api_too_short(self, world: World) -> None:
        response = _api(world).patch(f"/api/organizations/nodes/{world.pk('node')}", {"finess_ej": "12"},
                                     content_type="application/json")
        assert 422 == response.status_code
        assert "9 characters" in body(response)
        assert "" == Node.objects.get(pk=world.pk("node")).finess_ej

    def test_form(self, world: World) -> None:
        before = database_fingerprint()
        response = _ui(world).post(reverse("organizations:node_add"), {
            "kind": "establishment", "name": "Clinique fausse", "parent": world.tenants.group_a.pk,
            "finess_ej": "750712185",
        })
        assert 400 == response.status_code
        assert "check key" in body(response)
        assert before == database_fingerprint()


class TestMalformedJson:
    """A body that is not JSON, or JSON of the wrong shape, is refused with 4xx and changes nothing."""

    @pytest.mark.parametrize("payload", [
        pytest.param("{not json", id="syntax"),
        pytest.param("[1, 2, 3]", id="array"),  # django-ninja may read it as an empty patch: then nothing changes
        pytest.param('{"name": {"$gt": ""}, "parent_id": "x", "kind": 7}', id="wrong-types"),
        pytest.param("\x00\xff\xfe", id="binary"),
        pytest.param("", id="empty"),
    ])
    @pytest.mark.parametrize(("key", "spec"), JSON_BODIES)
    def test_refused(self, key: tuple[str, str], spec: Any, payload: str, world: World) -> None:
        method, path = key
        client = _api(world)
        before = database_fingerprint()
        response = getattr(client, method.lower())(api_url(path, spec, world, "a"), payload,
                                                   content_type="application/json")
        lenient = payload.startswith("[") and method == "PATCH" and response.status_code == 200
        assert lenient or 400 <= response.status_code < 500, (
            f"{method} {path}: {response.status_code} {body(response)[:300]}"
        )
        assert before == database_fingerprint()


class TestHugeBodies:
    """A body over the upload limit is refused with 4xx before anything is parsed or stored."""

    @pytest.mark.parametrize(("key", "spec"), WRITES)
    def test_api_refused(self, key: tuple[str, str], spec: Any, world: World) -> None:
        method, path = key
        client = _api(world)
        payload = '{"name": "' + "x" * 4096 + '"}'
        before = database_fingerprint()
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024, HYGIE_MAX_UPLOAD_BYTES=1024):
            response = getattr(client, method.lower())(api_url(path, spec, world, "a"), payload,
                                                       content_type="application/json")
        assert response.status_code in {400, 413}, f"{method} {path}: {response.status_code}"
        assert before == database_fingerprint()

    def test_real_limit(self, world: World) -> None:
        """With the shipped limit, one byte too many is refused too."""
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
        payload = '{"kind": "establishment", "parent_id": 1, "name": "' + "x" * size + '"}'
        response = _api(world).post("/api/organizations/nodes", payload, content_type="application/json")
        assert response.status_code in {400, 413}

    def test_form_refused(self, world: World) -> None:
        before = database_fingerprint()
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
            response = _ui(world).post(reverse("organizations:node_add"), {
                "kind": "establishment", "name": "x" * 4096, "parent": world.tenants.group_a.pk,
            })
        assert 400 == response.status_code
        assert before == database_fingerprint()


def _plant_hostile_names(world: World) -> None:
    """Give tenant A's objects names made of markup and spreadsheet formulas."""
    for kind, attribute in (("node", "name"), ("asset", "name"), ("application", "name"),
                            ("careactivity", "name"), ("finding", "title"), ("job", "label")):
        obj = world.get(kind)
        setattr(obj, attribute, f"{FORMULA}{SCRIPT}" if kind != "asset" else FORMULA)
        obj.save()
    # A second asset whose name is only the script, so that some cell does not start with the formula.
    world.get("asset").__class__.objects.create(node=world.get("node"), name=SCRIPT, kind="server")


class TestHostileStrings:
    """Markup is escaped in every HTML list; a cell starting like a formula is neutralised in every CSV export."""

    @pytest.mark.parametrize("name", LISTS)
    def test_html_escaped(self, name: str, world: World) -> None:
        _plant_hostile_names(world)
        response = _ui(world).get(reverse(name))
        text = body(response)
        assert 200 == response.status_code
        assert SCRIPT not in text
        assert "<script>alert" not in text

    @pytest.mark.parametrize("name", LISTS)
    def test_csv_neutralised(self, name: str, world: World) -> None:
        _plant_hostile_names(world)
        response = _ui(world).get(reverse(name), {"export": "csv"})
        assert 200 == response.status_code
        cells = [cell for row in csv.reader(io.StringIO(body(response))) for cell in row]
        assert [] == [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
