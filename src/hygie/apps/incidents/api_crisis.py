"""REST API of a node's crisis cell and crisis kits, mounted under ``/api/incidents/``.

Permissions mirror the crisis-cell pages (:mod:`hygie.apps.incidents.views.crisis`): reading needs
VIEW on the node; the cell's settings and changing a member or template CHANGE; adding a member, a
shift or a template ADD; removing one DELETE; generating a kit ADD. Another tenant's object is a 404.
Field rules are the UI forms' own, so both refuse the same input (422 with the reasons).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents.forms import CellForm, MemberForm, TemplateForm
from hygie.apps.incidents.models import (
    CommunicationTemplate,
    CrisisCell,
    CrisisKit,
    CrisisMember,
    DutyShift,
    KitTrigger,
)
from hygie.apps.incidents.schemas import ObjectId, profile_dict
from hygie.apps.incidents.schemas_crisis import (
    CrisisCellIn,
    CrisisCellOut,
    CrisisKitOut,
    CrisisMemberIn,
    CrisisMemberOut,
    CrisisMemberPatchIn,
    CrisisShiftIn,
    CrisisShiftOut,
    CrisisTemplateIn,
    CrisisTemplateOut,
    CrisisTemplatePatchIn,
)
from hygie.apps.organizations.models import Node
from hygie.engines.incidents import PARIS
from hygie.web.api import require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import refuse_body

router = Router(tags=["incidents"])

#: How far ahead the cell's answer shows the duty rota.
ROTA_DAYS = 14
#: Times before this are refused as implausible (and would overflow time-zone arithmetic near year 1).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- Helpers ----------------------------------------------------------------------------------------


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _owned(request: HttpRequest, model: Any, pk: int, action: Action) -> Any:
    """A member, shift or template the caller sees (404 otherwise); 403 without ``action`` on its node."""
    related = "member__node" if model is DutyShift else "node"
    obj = get_object_or_404(model.objects.restrict(request.user, Action.VIEW).select_related(related), pk=pk)
    node = obj.member.node if model is DutyShift else obj.node
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return obj


def _moment(value: dt.datetime, label: str) -> dt.datetime:
    """``value`` made aware (naive: Paris wall clock) and plausible; 422 otherwise."""
    try:
        aware = value.replace(tzinfo=PARIS) if timezone.is_naive(value) else value
        if aware.astimezone(dt.UTC) < EARLIEST:
            raise HttpError(422, f"{label}: a time before 1970 is not plausible.")
    except (OverflowError, ValueError) as exc:
        raise HttpError(422, f"{label}: time out of range.") from exc
    return aware


def _save_form(form: Any) -> Any:
    """Save a bound model form stamped ``updated``; 422 with the form's reasons when it refuses."""
    if not form.is_valid():
        reasons = "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items())
        raise HttpError(422, reasons)
    obj = form.save(commit=False)
    obj.updated = timezone.now()
    with transaction.atomic():
        obj.save()
    return obj


def _patched(instance: Any, form_class: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The form data of ``instance`` with ``changes`` applied (null empties a text field)."""
    data = model_to_dict(instance, fields=form_class._meta.fields)
    data.update({name: "" if value is None else value for name, value in changes.items()})
    return data


def _member_out(member: CrisisMember, on_duty: set[int] | None = None) -> dict[str, Any]:
    fields = ("id", "node_id", "role", "rank", "name", "position", "organisation", "mobile", "landline",
              "personal_email", "work_email", "external", "updated")
    return {**{name: getattr(member, name) for name in fields}, "on_duty": member.pk in (on_duty or set())}


def _shift_out(shift: DutyShift, now: dt.datetime) -> dict[str, Any]:
    return {"id": shift.pk, "member_id": shift.member_id, "member_name": shift.member.name,
            "role": shift.member.role, "starts_at": shift.starts_at.astimezone(dt.UTC),
            "ends_at": shift.ends_at.astimezone(dt.UTC),
            "current": shift.starts_at <= now < shift.ends_at}


def cell_dict(node: Node, user: Any) -> dict[str, Any]:
    """A node's crisis cell as :class:`CrisisCellOut` reads it: what the crisis-cell page shows."""
    now = timezone.now()
    shifts = list(DutyShift.objects.restrict(user, Action.VIEW)
                  .filter(member__node=node, ends_at__gte=now, starts_at__lte=now + dt.timedelta(days=ROTA_DAYS))
                  .select_related("member"))
    on_duty = {shift.member_id for shift in shifts if shift.starts_at <= now}
    return {
        "node_id": node.pk, "node_name": node.name,
        "settings": CrisisCell.objects.restrict(user, Action.VIEW).filter(node=node).first(),
        "members": [_member_out(m, on_duty)
                    for m in CrisisMember.objects.restrict(user, Action.VIEW).filter(node=node)],
        "shifts": [_shift_out(shift, now) for shift in shifts],
        "templates": list(CommunicationTemplate.objects.restrict(user, Action.VIEW).filter(node=node)),
        "profile": profile_dict(node)["effective"],
    }


# --- The cell ---------------------------------------------------------------------------------------


@router.get("/cells/{node_id}", response=CrisisCellOut)
def get_cell(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """A node's crisis cell: settings, members and outside contacts, the next 14 days of rota, templates, profile."""
    return cell_dict(_node(request, node_id), request.user)


@router.put("/cells/{node_id}", response=CrisisCellOut)
def put_cell(request: HttpRequest, node_id: ObjectId, payload: CrisisCellIn) -> dict[str, Any]:
    """Set the cell's settings (meeting places, conference bridge, plan blanc, daily kit)."""
    node = _node(request, node_id, Action.CHANGE)
    cell = CrisisCell.objects.filter(node=node).first() or CrisisCell(node=node)
    _save_form(CellForm(payload.model_dump(), instance=cell))
    return cell_dict(node, request.user)


# --- Members and their shifts --------------------------------------------------------------------------


@router.post("/cells/{node_id}/members", response={201: CrisisMemberOut})
def add_member(request: HttpRequest, node_id: ObjectId, payload: CrisisMemberIn) -> Status[dict[str, Any]]:
    """Add a member (or an outside contact) to the node's cell."""
    node = _node(request, node_id, Action.ADD)
    member = _save_form(MemberForm(payload.model_dump(), instance=CrisisMember(node=node)))
    return Status(201, _member_out(member))


@router.patch("/members/{member_id}", response=CrisisMemberOut)
def update_member(request: HttpRequest, member_id: ObjectId, payload: CrisisMemberPatchIn) -> dict[str, Any]:
    """Change a member (only the fields given)."""
    member = _owned(request, CrisisMember, member_id, Action.CHANGE)
    data = _patched(member, MemberForm, payload.model_dump(exclude_unset=True))
    return _member_out(_save_form(MemberForm(data, instance=member)))


@router.delete("/members/{member_id}", response={204: None})
def delete_member(request: HttpRequest, member_id: ObjectId) -> Status[None]:
    """Remove a member and their shifts."""
    refuse_body(request)
    _owned(request, CrisisMember, member_id, Action.DELETE).delete()
    return Status(204, None)


@router.post("/members/{member_id}/shifts", response={201: CrisisShiftOut})
def add_shift(request: HttpRequest, member_id: ObjectId, payload: CrisisShiftIn) -> Status[dict[str, Any]]:
    """Put a member on duty over a period (ADD on the member's node, as on the page); it ends after it starts."""
    member = _owned(request, CrisisMember, member_id, Action.ADD)
    starts_at, ends_at = _moment(payload.starts_at, "starts_at"), _moment(payload.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise HttpError(422, "ends_at: a shift ends after it starts.")
    shift = DutyShift.objects.create(member=member, starts_at=starts_at, ends_at=ends_at)
    return Status(201, _shift_out(shift, timezone.now()))


@router.delete("/shifts/{shift_id}", response={204: None})
def delete_shift(request: HttpRequest, shift_id: ObjectId) -> Status[None]:
    """Remove a duty shift."""
    refuse_body(request)
    _owned(request, DutyShift, shift_id, Action.DELETE).delete()
    return Status(204, None)


# --- Communication templates ---------------------------------------------------------------------------


@router.post("/cells/{node_id}/templates", response={201: CrisisTemplateOut})
def add_template(request: HttpRequest, node_id: ObjectId, payload: CrisisTemplateIn) -> Status[Any]:
    """Add a communication template; 422 when the node has one with this audience and title."""
    node = _node(request, node_id, Action.ADD)
    return Status(201, _save_form(TemplateForm(payload.model_dump(), instance=CommunicationTemplate(node=node))))


@router.patch("/templates/{template_id}", response=CrisisTemplateOut)
def update_template(request: HttpRequest, template_id: ObjectId, payload: CrisisTemplatePatchIn) -> Any:
    """Change a template (only the fields given)."""
    template = _owned(request, CommunicationTemplate, template_id, Action.CHANGE)
    data = _patched(template, TemplateForm, payload.model_dump(exclude_unset=True))
    return _save_form(TemplateForm(data, instance=template))


@router.delete("/templates/{template_id}", response={204: None})
def delete_template(request: HttpRequest, template_id: ObjectId) -> Status[None]:
    """Remove a communication template."""
    refuse_body(request)
    _owned(request, CommunicationTemplate, template_id, Action.DELETE).delete()
    return Status(204, None)


# --- Crisis kits ----------------------------------------------------------------------------------------


@router.get("/kits/", response=list[CrisisKitOut])
@paginate(PageNumberPagination, page_size=100)
def list_kits(request: HttpRequest, node: int | None = None, node_id: int | None = None) -> Any:
    """Generated kits, latest first; ``node`` (or ``node_id``): that node and its subtree."""
    require_api_scope(request)
    kits = CrisisKit.objects.restrict(request.user, Action.VIEW)
    wanted = node if node is not None else node_id
    if wanted is not None:
        # Like the lists' node filter: a node the caller cannot see narrows to nothing.
        within = (Node.objects.restrict(request.user, Action.VIEW).filter(pk=wanted).first()
                  if 1 <= wanted < 2**63 else None)
        kits = kits.filter(node__path__startswith=within.path) if within else kits.none()
    return kits


@router.post("/cells/{node_id}/kits", response={201: CrisisKitOut})
def generate_kit_now(request: HttpRequest, node_id: ObjectId) -> Status[CrisisKit]:
    """Generate the node's offline crisis kit now (HTML and PDF); download it and keep a copy off the network."""
    from hygie.apps.incidents.kit import KitError, generate_kit

    refuse_body(request)
    node = _node(request, node_id, Action.ADD)
    try:
        kit = generate_kit(node, user=request.user, trigger=KitTrigger.ON_DEMAND)
    except KitError as error:
        raise HttpError(422, str(error)) from error
    return Status(201, kit)


def _download(request: HttpRequest, kit_id: int, *, pdf: bool) -> FileResponse:
    """A generated kit's file as an attachment, like the crisis-cell page's download link."""
    from hygie.apps.incidents.kit import kit_paths

    kit = get_object_or_404(CrisisKit.objects.restrict(request.user, Action.VIEW), pk=kit_id)
    html_path, pdf_path = kit_paths(kit)
    path = pdf_path if pdf else html_path
    if path is None or not path.is_file():
        raise HttpError(404, "This kit has no such file.")
    stamp = timezone.localtime(kit.generated_at).strftime("%Y%m%d-%H%M")
    name = f"hygie-crisis-kit-{kit.node_id}-{stamp}.{'pdf' if pdf else 'html'}"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name,
                            content_type="application/pdf" if pdf else "text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/kits/{kit_id}/html")
def download_kit_html(request: HttpRequest, kit_id: ObjectId) -> FileResponse:
    """The kit's self-contained HTML file (opens in any browser, offline)."""
    return _download(request, kit_id, pdf=False)


@router.get("/kits/{kit_id}/pdf")
def download_kit_pdf(request: HttpRequest, kit_id: ObjectId) -> FileResponse:
    """The kit's PDF (to print); 404 when it was generated without one."""
    return _download(request, kit_id, pdf=True)
