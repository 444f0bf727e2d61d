"""The overdue regulatory clocks shown on every page to whoever may see the incident.

One restricted query of the active incidents (obligations and establishments prefetched) and one of
the regulatory profiles of their nodes: the cost does not grow with the number of incidents. The
result is computed at most once per request, and only when a template asks for it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents.models import Incident
from hygie.apps.incidents.services import overdue_clocks
from hygie.engines.incidents import PARIS

__all__ = ["overdue_banner", "overdue_items"]

#: How many overdue clocks the banner names; the count says how many there are in all.
SHOWN = 5
_CACHE = "_hygie_overdue_clocks"


def overdue_items(user: Any) -> list[dict[str, Any]]:
    """The overdue clocks of the active incidents ``user`` sees, most overdue first."""
    incidents = (Incident.objects.restrict(user, Action.VIEW).active().select_related("node")
                 .prefetch_related("obligations", "establishments"))
    language = get_language() or "en"
    return [{"incident": incident, "title": clock.rule.title_in(language), "obligation": clock.rule.id,
             "deadline": clock.deadline.astimezone(PARIS)}
            for incident, clock in overdue_clocks(incidents)]


def overdue_banner(request: HttpRequest) -> Any:
    """A lazy ``{"count", "items"}`` for the base template (``None`` for visitors), cached on the request."""

    def compute() -> dict[str, Any] | None:
        cached = getattr(request, _CACHE, None)
        if cached is None:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return None
            items = overdue_items(user)
            cached = {"count": len(items), "items": items[:SHOWN], "more": max(len(items) - SHOWN, 0)}
            setattr(request, _CACHE, cached)
        return cached

    return SimpleLazyObject(compute)
