"""The crisis cell of a node: settings, members, duty rota, communication templates, profile, crisis kits."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents.forms import CellForm, MemberForm, ProfileForm, ShiftForm, TemplateForm
from hygie.apps.incidents.models import (
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    DutyShift,
    KitTrigger,
    Nis2Status,
    RegulatoryProfile,
)
from hygie.apps.incidents.services import effective_profile
from hygie.apps.organizations.models import Node
from hygie.web.views import ObjectDeleteView, TenantView

__all__ = ["CellEditView", "CrisisCellView", "KitDownloadView", "KitGenerateView", "MemberDeleteView",
           "MemberEditView", "ProfileEditView", "ShiftAddView", "ShiftDeleteView", "TemplateDeleteView",
           "TemplateEditView"]


def cell_url(node_id: int) -> str:
    """The crisis-cell page of a node."""
    return reverse("incidents:crisis_cell", args=[node_id])


def cell_context(node: Node, user: Any, **forms: Any) -> dict[str, Any]:
    """What the crisis-cell page shows; ``forms`` replaces the empty forms."""
    now = timezone.now()
    members = list(CrisisMember.objects.restrict(user, Action.VIEW).filter(node=node))
    shifts = list(DutyShift.objects.restrict(user, Action.VIEW).filter(member__node=node, ends_at__gte=now)
                  .select_related("member"))
    on_duty = {s.member_id for s in shifts if s.starts_at <= now}
    for member in members:
        member.on_duty = member.pk in on_duty  # type: ignore[attr-defined]
    for shift in shifts:
        shift.current = shift.starts_at <= now  # type: ignore[attr-defined]
    cell = CrisisCell.objects.restrict(user, Action.VIEW).filter(node=node).first()
    profile = RegulatoryProfile.objects.restrict(user, Action.VIEW).filter(node=node).first()
    defaults: dict[str, Any] = {
        "cell_form": CellForm(instance=cell or CrisisCell(node=node)),
        "profile_form": ProfileForm(instance=profile or RegulatoryProfile(node=node)),
        "member_form": MemberForm(),
        "shift_form": ShiftForm(node=node, user=user),
        "template_form": TemplateForm(),
    }
    defaults.update(forms)
    effective = effective_profile(node)
    return {
        "title": _("Crisis cell: %(node)s") % {"node": node}, "node": node, "cell": cell, "profile": profile,
        "effective": effective, "nis2_label": dict(Nis2Status.choices).get(effective.nis2_status, ""),
        "members": members, "shifts": shifts,
        "templates": CommunicationTemplate.objects.restrict(user, Action.VIEW).filter(node=node),
        "kits": CrisisKit.objects.restrict(user, Action.VIEW).filter(node=node)[:10],
        "may_change": user_can(user, Action.CHANGE, node.path), "may_add": user_can(user, Action.ADD, node.path),
        "may_delete": user_can(user, Action.DELETE, node.path),
        **defaults,
    }


class NodeScopedView(TenantView):
    """A view about the node named by ``pk``."""

    model = Node
    select_related = ()

    def page(self, node: Node, status: int = 200, **forms: Any) -> HttpResponse:
        """The crisis-cell page (with a bound form when one was refused)."""
        return render(self.request, "incidents/crisis_cell.html", cell_context(node, self.request.user, **forms),
                      status=status)


class CrisisCellView(NodeScopedView):
    """The crisis-cell page of a node."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page."""
        return self.page(self.get_object())


class CellEditView(NodeScopedView):
    """Save the cell's settings (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, save."""
        node = self.get_object(Action.CHANGE)
        cell = CrisisCell.objects.filter(node=node).first() or CrisisCell(node=node)
        form = CellForm(request.POST, instance=cell)
        if not form.is_valid():
            return self.page(node, status=400, cell_form=form)
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        saved.save()
        messages.success(request, _("Saved."))
        return redirect(cell_url(node.pk))


class ProfileEditView(NodeScopedView):
    """Save the node's regulatory profile (POST only); empty values are inherited."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, save."""
        node = self.get_object(Action.CHANGE)
        profile = RegulatoryProfile.objects.filter(node=node).first() or RegulatoryProfile(node=node)
        form = ProfileForm(request.POST, instance=profile)
        if not form.is_valid():
            return self.page(node, status=400, profile_form=form)
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        saved.save()
        messages.success(request, _("Saved."))
        return redirect(cell_url(node.pk) + "#profile")


class MemberEditView(TenantView):
    """Add a member to a node's cell (``node`` in the URL) or change one (``pk``); POST only."""

    model = CrisisMember

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, save."""
        if "pk" in self.kwargs:
            member = self.get_object(Action.CHANGE)
            node = member.node
        else:
            node = _node(request, self.kwargs["node"], Action.ADD)
            member = CrisisMember(node=node)
        form = MemberForm(request.POST, instance=member)
        if not form.is_valid():
            return _cell_page(request, node, member_form=form, editing=member.pk)
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        saved.save()
        messages.success(request, _("Saved."))
        return redirect(cell_url(node.pk) + "#members")


class ShiftAddView(NodeScopedView):
    """Put a member on duty over a period (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, save."""
        node = self.get_object(Action.ADD)
        form = ShiftForm(request.POST, node=node, user=request.user)
        if not form.is_valid():
            return self.page(node, status=400, shift_form=form)
        DutyShift.objects.create(**form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(cell_url(node.pk) + "#rota")


class TemplateEditView(TenantView):
    """Add a communication template to a node (``node`` in the URL) or change one (``pk``); POST only."""

    model = CommunicationTemplate

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Validate, save."""
        if "pk" in self.kwargs:
            template = self.get_object(Action.CHANGE)
            node = template.node
        else:
            node = _node(request, self.kwargs["node"], Action.ADD)
            template = CommunicationTemplate(node=node)
        form = TemplateForm(request.POST, instance=template)
        if not form.is_valid():
            return _cell_page(request, node, template_form=form, editing=template.pk)
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        saved.save()
        messages.success(request, _("Saved."))
        return redirect(cell_url(node.pk) + "#templates")


class _BackToCell(ObjectDeleteView):
    """Delete, then back to the node's crisis-cell page."""

    node_field: ClassVar[str] = "node"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Delete and go back to the cell."""
        obj = self.get_object(Action.DELETE)
        node_id = _owner(obj).pk
        obj.delete()
        messages.success(request, _("Deleted."))
        return redirect(cell_url(node_id))


def _owner(obj: Any) -> Node:
    return obj.member.node if isinstance(obj, DutyShift) else obj.node


class MemberDeleteView(_BackToCell):
    """Remove a member (and their shifts)."""

    model = CrisisMember


class ShiftDeleteView(_BackToCell):
    """Remove a duty shift."""

    model = DutyShift
    select_related = ("member__node",)


class TemplateDeleteView(_BackToCell):
    """Remove a communication template."""

    model = CommunicationTemplate


class KitGenerateView(NodeScopedView):
    """Generate the node's offline crisis kit now (POST only)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Generate, then back to the kits."""
        from hygie.apps.incidents.kit import KitError, generate_kit

        node = self.get_object(Action.ADD)
        try:
            generate_kit(node, user=request.user, trigger=KitTrigger.ON_DEMAND)
        except KitError as error:
            messages.error(request, str(error))
            return self.page(node, status=400)
        messages.success(request, _("The crisis kit is generated: download it and keep a copy off the network."))
        return redirect(cell_url(node.pk) + "#kits")


class KitDownloadView(TenantView):
    """A generated crisis kit, HTML (default) or PDF (``?format=pdf``)."""

    model = CrisisKit

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file, as an attachment."""
        from hygie.apps.incidents.kit import kit_paths

        crisis_kit: CrisisKit = self.get_object()
        pdf = request.GET.get("format") == "pdf"
        html_path, pdf_path = kit_paths(crisis_kit)
        path = pdf_path if pdf else html_path
        if path is None or not path.is_file():
            raise Http404
        stamp = timezone.localtime(crisis_kit.generated_at).strftime("%Y%m%d-%H%M")
        name = f"hygie-crisis-kit-{crisis_kit.node_id}-{stamp}.{'pdf' if pdf else 'html'}"
        response = FileResponse(path.open("rb"), as_attachment=True, filename=name,
                                content_type="application/pdf" if pdf else "text/html; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _node(request: HttpRequest, pk: int, action: Action) -> Node:
    """The node of the URL, 404 outside the user's view, 403 without ``action``."""
    from django.core.exceptions import PermissionDenied

    node = Node.objects.restrict(request.user, Action.VIEW).filter(pk=pk).first()  # type: ignore[attr-defined]
    if node is None:
        raise Http404
    if not user_can(request.user, action, node.path):
        raise PermissionDenied
    return node


def _cell_page(request: HttpRequest, node: Node, **forms: Any) -> HttpResponse:
    return render(request, "incidents/crisis_cell.html", cell_context(node, request.user, **forms), status=400)
