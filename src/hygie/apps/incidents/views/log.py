"""The crisis log: add an entry, or a correction of an entry. There is no edit and no delete, by design."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents.forms import LogEntryForm
from hygie.apps.incidents.models import Incident
from hygie.apps.incidents.services import IncidentError, add_log_entry
from hygie.apps.incidents.views.common import IncidentScopedView, incident_context

__all__ = ["LogEntryAddView"]


class LogEntryAddView(IncidentScopedView):
    """GET: the add form (``?corrects=<id>`` to correct an entry), for HTMX; POST: append the entry."""

    action = Action.ADD

    def _section(self, incident: Incident, form: LogEntryForm, status: int = 200) -> HttpResponse:
        context = incident_context(incident, self.request.user, log_form=form)
        return render(self.request, "incidents/_log.html", context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The form alone, pre-set to correct an entry of this incident when asked."""
        incident = self.incident()
        corrects = request.GET.get("corrects", "")
        initial = {"corrects": int(corrects)} if corrects.isdigit() and len(corrects) < 19 else {}  # noqa: PLR2004
        form = LogEntryForm(initial=initial, incident=incident, user=request.user)
        target = form.fields["corrects"].queryset.filter(pk=initial.get("corrects")).first() if initial else None  # type: ignore[attr-defined]
        return render(request, "incidents/_log_form.html",
                      {"incident": incident, "log_form": form, "correcting": target})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Append the entry; an HTMX request gets the log section back, others a redirect."""
        incident = self.incident()
        form = LogEntryForm(request.POST, incident=incident, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                add_log_entry(incident, kind=data["kind"], text=data["text"], user=request.user,
                              occurred_at=data["occurred_at"], author_name=data["author_name"],
                              corrects=data["corrects"])
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                if request.htmx:  # type: ignore[attr-defined]
                    return self._section(incident, LogEntryForm(incident=incident, user=request.user))
                messages.success(request, _("Entry added to the crisis log."))
                return redirect(incident.get_absolute_url() + "#crisis-log")
        if request.htmx:  # type: ignore[attr-defined]
            # htmx does not swap a 4xx answer by default: the form with its errors comes back as 200.
            return self._section(incident, form)
        return self.page(incident, status=400, log_form=form)
