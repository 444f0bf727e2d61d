"""Attribute the changes made while serving a request to the logged-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.apps.accounts.audit import acting_as

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


class ActorMiddleware:
    """Set the audit actor for the duration of a web request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Serve the request with the audit actor set."""
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        # API requests authenticate inside django-ninja and re-set the actor there.
        with acting_as(user, "web"):
            return self.get_response(request)
