"""Template context shared by every page: the navigation, the user's top nodes, the overdue-clocks banner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action, scope_prefixes

NAVIGATION: list[tuple[Any, str]] = [
    (_("Dashboard"), "home"),
    (_("Organisations"), "organizations:node_list"),
    (_("Assets"), "inventory:asset_list"),
    (_("Applications"), "inventory:application_list"),
    (_("Care activities"), "inventory:careactivity_list"),
    (_("Findings"), "findings:finding_list"),
    (_("Remediation plan"), "findings:remediation_plan"),
    (_("Directory audits"), "directory:audit_list"),
    (_("Internet exposure"), "exposure:scan_list"),
    (_("Log detection"), "detection:alert_list"),
    (_("Incidents"), "incidents:incident_list"),
    (_("Continuity"), "continuity:overview"),
    (_("Compliance"), "compliance:overview"),
    (_("Budget"), "budget:overview"),
    (_("Awareness"), "awareness:overview"),
    (_("Jobs"), "jobs:job_list"),
    (_("Audit log"), "accounts:audit_list"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries with their URLs and which one is current."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"navigation": []}
    path = request.path
    items = []
    for label, name in NAVIGATION:
        url = reverse(name)
        current = path == url if name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {
        "navigation": items,
        "can_manage_users": scope_prefixes(request.user, Action.MANAGE_USERS) != [],
        "overdue_clocks": _overdue(request),
    }


def _overdue(request: HttpRequest) -> Any:
    """The overdue regulatory clocks of the incidents the user sees (lazy: computed only if a page shows them)."""
    from hygie.apps.incidents.views.banner import overdue_banner

    return overdue_banner(request)
