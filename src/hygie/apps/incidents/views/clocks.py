"""The regulatory clocks: mark an obligation done, with its proof."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hygie.apps.incidents import evidence_store
from hygie.apps.incidents.forms import ObligationDoneForm
from hygie.apps.incidents.services import IncidentError, record_obligation
from hygie.apps.incidents.views.common import IncidentScopedView

__all__ = ["ObligationDoneView"]


class ObligationDoneView(IncidentScopedView):
    """Record an obligation done (POST only): time, proof reference, optional proof file, all or nothing."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, store the proof file and the record in one transaction."""
        incident = self.incident()
        form = ObligationDoneForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    proof = None
                    if data["file"] is not None:
                        proof = evidence_store.store_chunks(
                            incident, title=_("Proof: %(reference)s") % {"reference": data["reference"]},
                            name=data["file"].name or "proof", chunks=data["file"].chunks(), user=request.user)
                    record_obligation(incident, data["obligation"], done_at=data["done_at"],
                                      reference=data["reference"], user=request.user, evidence=proof)
            except (IncidentError, evidence_store.EvidenceError) as error:
                # The transaction dropped the evidence row; a file already written stays in the
                # content-addressed store, unreferenced, like any refused upload's twin.
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Obligation recorded as done."))
                return redirect(incident.get_absolute_url() + "#clocks")
        return self.page(incident, status=400, done_form=form, done_obligation=request.POST.get("obligation", ""))
