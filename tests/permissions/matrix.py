"""The permission matrix: for a route and a case (who asks, for what), the call and its expected outcome.

Cases, each one test per route:

- ``anonymous``: no session, no token: the UI redirects to the login page (or 403), the API answers 401;
- ``no-role``: a logged-in user holding no role: 403 on lists and pages, 404 on objects;
- ``role-<role>``: the role held on group A: allowed (the spec's success status) when the role grants
  the action, else refused (403, or 404 on objects); a refused write changes nothing;
- ``other-tenant``: group A's administrator asks for tenant B's object: 404;
- ``outsider``: group B's manager asks for tenant A's object: 404;
- ``list-isolation``, ``csv-export``, ``foreign-node-filter``: a list (its CSV export, and the list
  filtered on a node of tenant B) shown to group A holds tenant A's rows and none of tenant B's;
- API only: ``session`` (cookie session with a CSRF token instead of a bearer token) and, for
  writes, ``session-no-csrf`` (refused with 403, nothing changed).

Every successful read by a user of group A is also checked for tenant B's marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponseBase
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from hygie.apps.accounts.models import ApiToken
from hygie.apps.accounts.permissions import ROLE_ACTIONS, Role
from hygie.testing.world import MARK_A, MARK_B, World, database_fingerprint

from .specs import RouteSpec

UI, API = "ui", "api"
ROLE_CASES = [f"role-{role.value}" for role in Role]
LIST_CASES = ["list-isolation", "csv-export", "foreign-node-filter"]


def cases_for(surface: str, spec: RouteSpec, method: str) -> list[str]:
    """The cases that apply to a route."""
    if spec.public:
        return ["anonymous", "no-role"]
    cases = ["anonymous", "no-role", *ROLE_CASES]
    if spec.target:
        cases += ["other-tenant", "outsider"]
    if spec.listing:
        cases += [c for c in LIST_CASES if surface == UI or c != "csv-export"]
    if surface == API:
        cases.append("session")
        if method != "GET":
            cases.append("session-no-csrf")
    return cases


@dataclass
class Outcome:
    """What the response must look like."""

    statuses: frozenset[int]
    allowed: bool


def _weakest_allowed(spec: RouteSpec) -> str | None:
    for role in Role:
        if spec.allows(ROLE_ACTIONS[role]):
            return role.value
    return None


def _refusal(surface: str, spec: RouteSpec) -> frozenset[int]:
    if spec.refused:
        return spec.refused
    return frozenset({403, 404}) if spec.target else frozenset({403})


def expected(surface: str, spec: RouteSpec, case: str) -> Outcome:  # noqa: PLR0911 - one return per case, as a table
    """The statuses a case must answer with, and whether it is an allowed call."""
    success = Outcome(spec.success, allowed=True)
    if case == "anonymous":
        if spec.public:
            return success
        return Outcome(frozenset({401}) if surface == API else frozenset({302, 403}), allowed=False)
    if case == "no-role":
        if spec.public or spec.self_service:
            return success
        return Outcome(spec.refused or (frozenset({404}) if spec.target else frozenset({403})), allowed=False)
    if case.startswith("role-"):
        role = case.removeprefix("role-")
        if spec.allows(ROLE_ACTIONS[role]):
            return success
        return Outcome(_refusal(surface, spec), allowed=False)
    if case in {"other-tenant", "outsider"}:
        return Outcome(frozenset({404}), allowed=False)
    if case == "foreign-node-filter":
        # An invalid or foreign filter value may be refused (API: 422) or give an empty list.
        return Outcome(frozenset({200, 400, 422}), allowed=True)
    if case == "session-no-csrf":
        return Outcome(frozenset({403}), allowed=False)
    return success


@dataclass
class Call:
    """One request of the matrix."""

    user: Any
    side: str
    query: dict[str, str]
    session: bool = False
    csrf: bool = True


def plan(spec: RouteSpec, case: str, world: World) -> Call:  # noqa: PLR0911 - one return per case, as a table
    """Who calls, about which tenant's object, with which query string."""
    tenants = world.tenants
    query = dict(spec.query)
    if case == "anonymous":
        return Call(None, "a", query)
    if case == "no-role":
        return Call(tenants.no_role, "a", query)
    if case.startswith("role-"):
        return Call(world.user(case.removeprefix("role-")), "a", query)
    if case == "other-tenant":
        return Call(world.user(Role.ADMINISTRATOR), "b", query)
    if case == "outsider":
        return Call(tenants.outsider, "a", query)
    if case == "csv-export":
        query["export"] = "csv"
    if case == "foreign-node-filter":
        query["node"] = str(world.pk("node", "b"))
    if case in {"session", "session-no-csrf"}:
        role = _weakest_allowed(spec)
        user = world.user(role) if role else tenants.no_role
        return Call(user, "a", query, session=True, csrf=case == "session")
    return Call(world.user(Role.ADMINISTRATOR), "a", query)


def ui_url(name: str, spec: RouteSpec, world: World, side: str) -> str:
    """The URL of a UI route for tenant ``side``'s object."""
    if spec.args is not None:
        return reverse(name, kwargs=spec.args(world, side))
    if spec.target:
        return reverse(name, kwargs={"pk": world.pk(spec.target, side)})
    return reverse(name)


def api_url(path: str, spec: RouteSpec, world: World, side: str) -> str:
    """The URL of an API operation for tenant ``side``'s object."""
    if spec.args is not None:
        return path.format(**spec.args(world, side))
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if names and not spec.target:
        msg = f"{path} has path parameters: give its spec a target or args."
        raise AssertionError(msg)
    return path.format(**{name: world.pk(spec.target, side) for name in names}) if names else path


def body(response: HttpResponseBase) -> str:
    """The response body as text, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def _client(surface: str, call: Call) -> Client:
    if call.user is None:
        return Client()
    if surface == UI or call.session:
        client = Client(enforce_csrf_checks=call.session)
        client.force_login(call.user)
        if call.session and call.csrf:
            # The UI's own scripts send the CSRF cookie's token in a header; do the same.
            token = get_token(RequestFactory().get("/"))
            client.cookies["csrftoken"] = token
            client.defaults["HTTP_X_CSRFTOKEN"] = token
        return client
    _token, key = ApiToken.issue(call.user, "matrix")
    return Client(headers={"Authorization": f"Bearer {key}"})


def run(surface: str, key: tuple[str, str], spec: RouteSpec, case: str, world: World) -> None:
    """Send the call of ``case`` to the route ``key`` and check the outcome."""
    name, method = key if surface == UI else (key[1], key[0])
    outcome = expected(surface, spec, case)
    call = plan(spec, case, world)
    client = _client(surface, call)
    url = ui_url(name, spec, world, call.side) if surface == UI else api_url(name, spec, world, call.side)
    data = spec.data(world) if spec.data else {}
    label = f"{surface} {method} {name} [{case}] as {getattr(call.user, 'username', 'anonymous')}"
    before = database_fingerprint() if method != "GET" else None
    response = _send(client, surface, method, url, data=data, query=call.query, content=spec.content)
    text = body(response)
    assert response.status_code in outcome.statuses, (
        f"{label}: expected {sorted(outcome.statuses)}, got {response.status_code}: {text[:300]}"
    )
    if case == "anonymous" and surface == UI and response.status_code == 302 and not spec.public:
        assert response["Location"].startswith(reverse("login")), f"{label}: redirects to {response['Location']}"
    if before is not None:
        after = database_fingerprint()
        if not outcome.allowed:
            assert before == after, f"{label}: a refused call changed the database"
        elif spec.writes:
            assert before != after, f"{label}: an allowed write changed nothing"
    if method == "GET" and response.status_code == 200 and call.side == "a" and call.user not in (
        None, world.tenants.outsider,
    ):
        assert MARK_B not in text, f"{label}: shows tenant B's data"
        if (spec.listing or (spec.target and spec.shows_name)) and case != "foreign-node-filter":
            assert MARK_A in text, f"{label}: shows none of tenant A's data (the leak check would prove nothing)"
    if case == "csv-export":
        assert response["Content-Type"].startswith("text/csv"), f"{label}: not a CSV export"


def _send(client: Client, surface: str, method: str, url: str, *, data: dict[str, Any],
          query: dict[str, str], content: str = "json") -> HttpResponseBase:
    send = getattr(client, method.lower())
    if method == "GET":
        return send(url, query)
    if query:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(query)}"
    if surface == API and content == "json":
        # An operation taking no body (DELETE) gets none: an empty JSON object is still a body.
        return send(url, data, content_type="application/json") if data else send(url)
    if method == "POST":
        return send(url, data)
    # Django's test client encodes only POST as a form; other methods get the urlencoded body.
    from urllib.parse import urlencode

    return send(url, urlencode(data), content_type="application/x-www-form-urlencoded")
