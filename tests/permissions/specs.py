"""What a route needs and how to call it: the vocabulary of the route registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import World

#: Anyone, logged in or not (login page, language switch, API documentation).
PUBLIC = "public"
#: Any logged-in user, whatever their roles: self-service on their own account (tokens, "me").
AUTHENTICATED = "authenticated"

DataFactory = Callable[[World], dict[str, Any]]
ArgsFactory = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class RouteSpec:
    """The permission contract of one route and method.

    ``needs`` is the action a role must grant (or ``PUBLIC`` / ``AUTHENTICATED``); ``target`` the
    kind of world object named in the URL (None for lists, forms and pages); ``data`` builds a
    valid payload for tenant A; ``success`` the statuses of an allowed call.
    """

    needs: Action | str
    target: str | None = None
    data: DataFactory | None = None
    success: frozenset[int] = frozenset({200})
    listing: bool = False
    writes: bool = False
    shows_name: bool = True
    args: ArgsFactory | None = None
    query: dict[str, str] = field(default_factory=dict)
    #: Statuses of a refusal, when the default (403, or 403/404 with a target) does not fit: an API
    #: route naming its node in the payload answers 404 to those who cannot see that node.
    refused: frozenset[int] = frozenset()
    #: API body encoding: "json", or "multipart" for file uploads.
    content: str = "json"

    @property
    def public(self) -> bool:
        """Served to anonymous visitors too."""
        return self.needs == PUBLIC

    @property
    def self_service(self) -> bool:
        """Served to any logged-in user, roles or not."""
        return self.needs == AUTHENTICATED

    def allows(self, role_actions: frozenset[Action]) -> bool:
        """True when a role granting ``role_actions`` may use the route."""
        if self.public or self.self_service:
            return True
        return Action(self.needs) in role_actions


def page(needs: Action | str = Action.VIEW, **extra: Any) -> RouteSpec:
    """A page that names no object (dashboard, an empty form)."""
    return RouteSpec(needs, shows_name=False, **extra)


def listing(needs: Action | str = Action.VIEW) -> RouteSpec:
    """A list of tenant objects: checked for other tenants' rows, in HTML, CSV and JSON."""
    return RouteSpec(needs, listing=True)


def detail(kind: str, needs: Action | str = Action.VIEW, **extra: Any) -> RouteSpec:
    """A page or API object named by its primary key."""
    return RouteSpec(needs, target=kind, **extra)


def write(needs: Action | str, data: DataFactory | None, *, target: str | None = None,
          success: int = 302, writes: bool = True, **extra: Any) -> RouteSpec:
    """A request sending data; ``writes``: an allowed call changes the database (a refused one never does)."""
    return RouteSpec(needs, target=target, data=data, success=frozenset({success}), writes=writes,
                     shows_name=False, **extra)
