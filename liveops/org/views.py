"""Org chart, departments, staff and governance register pages. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.exports import export_response
from liveops.core.forms import int_or_none
from liveops.core.masking import MASKERS
from liveops.core.models import AuditAction
from liveops.core.navigation import TOOLS
from liveops.core.permissions import capability_required, login_only
from liveops.org import forms, selectors, services
from liveops.org.models import ActionItem, GovernanceBody, Resolution, ResolutionDocument

STAFF_PAGE = 50  # rows per page of the staff list; more load with htmx (no COUNT of the table)
DEPARTMENT_PEOPLE = 50  # people shown on a department page; the staff list has them all

STAFF_SORTS = {
    "employee_no": "employee_no",
    "-employee_no": "-employee_no",
    "name": "name_pinyin",
    "-name": "-name_pinyin",
    "department": "department__sort_order",
    "hired_on": "hired_on",
    "-hired_on": "-hired_on",
}


@serves("HR-1", "GOV-BD-5", "GM-4", feature=gettext_noop("Org chart"))
@capability_required("org.view")
def org_chart(request):
    """The org tree as an ECharts tree with headcount per unit (own and below)."""
    tree = selectors.department_tree(access=request.access)
    counts = selectors.department_counts()
    return render(request, "org/chart.html", {"tree": tree, "counts": counts})


@serves("HR-1", feature=gettext_noop("Department page: duties, people and tools"))
@capability_required("org.view")
def department_detail(request, code: str):
    department = get_object_or_404(selectors.department_list(access=request.access), code=code)
    staff = selectors.staff_list(access=request.access, department_id=department.pk)
    tools = [t for t in TOOLS if t.unit == code and request.access.can(t.capability)]
    return render(
        request,
        "org/department.html",
        {
            "department": department,
            "duties": department.duties.all(),
            "children": department.children.filter(is_active=True),
            "positions": department.positions.select_related("reports_to"),
            "staff": staff[:DEPARTMENT_PEOPLE],
            "tools": tools,
            "changes": department.changes.select_related("resolution")[:20],
            "can_change_org": request.access.can("org.change") and request.access.can("governance.view"),
        },
    )


def _masked_row(access, st):
    show = selectors.can_see_personal(access=access, staff=st)
    return show, {
        f: (getattr(st, f) if show else MASKERS[f](getattr(st, f))) for f in ("phone", "id_number", "address")
    }


@serves("HR-1", feature=gettext_noop("Staff list with search, filters and export"))
@capability_required("org.view")
def staff_list(request):
    """Staff in scope; search by Chinese name or pinyin initials; CSV/XLSX export."""
    access = request.access
    q = request.GET.get("q", "")
    dept = request.GET.get("department", "")
    sort = STAFF_SORTS.get(request.GET.get("sort", ""), "employee_no")
    dept_id = int_or_none(dept)
    qs = selectors.staff_list(access=access, search=q, department_id=dept_id).order_by(sort, "id")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        if not access.can("org.export"):
            raise Http404
        rows = []
        unmasked = []
        for st in qs.iterator(chunk_size=2000):
            show, pd = _masked_row(access, st)
            if show:
                unmasked.append(st.pk)
            rows.append(
                [
                    st.employee_no,
                    st.name,
                    st.department.name,
                    st.position.title if st.position else "",
                    st.email,
                    pd["phone"],
                    pd["id_number"],
                    pd["address"],
                    st.hired_on.isoformat() if st.hired_on else "",
                ]
            )
        audit_log(
            actor=request.user,
            action=AuditAction.ACTION,
            verb="export",
            object_type_label="org.staff",
            object_repr=f"staff export ({len(rows)})",
            changes={"format": fmt, "unmasked_ids": unmasked[:1000]},
        )
        header = [
            _("Employee number"),
            _("Name"),
            _("Department"),
            _("Position"),
            _("Email"),
            _("Mobile phone"),
            _("ID number"),
            _("Address"),
            _("Hired on"),
        ]
        return export_response(fmt=fmt, filename="staff", header=header, rows=rows)
    offset = int_or_none(request.GET.get("offset")) or 0
    page = list(qs[offset : offset + STAFF_PAGE + 1])
    has_more = len(page) > STAFF_PAGE
    page = page[:STAFF_PAGE]
    rows = [(st, _masked_row(access, st)[1]) for st in page]
    more = request.GET.copy()
    more["offset"] = str(offset + STAFF_PAGE)
    ctx = {
        "rows": rows,
        "q": q,
        "department": dept,
        "sort": request.GET.get("sort", ""),
        "departments": selectors.department_list(access=access).order_by("sort_order") if not offset else [],
        "more_query": more.urlencode() if has_more else "",
        "can_export": access.can("org.export"),
    }
    if offset:
        return render(request, "org/_staff_rows.html", ctx)
    template = (
        "org/_staff_rows.html"
        if request.htmx and request.htmx.target == "staff-rows"
        else "org/staff_list.html"
    )
    return render(request, template, ctx)


@serves("HR-1", feature=gettext_noop("Staff record"))
@capability_required("org.view")
def staff_detail(request, pk: int):
    access = request.access
    staff = selectors.staff_get(access=access, pk=pk)
    if staff is None:
        raise Http404
    show, personal = _masked_row(access, staff)
    if show and (staff.phone or staff.id_number or staff.address):
        audit_log(actor=request.user, action=AuditAction.VIEW_PERSONAL, instance=staff)
    can_edit = access.reaches_department("org.change", staff.department_id)
    form = None
    if can_edit:
        form = forms.StaffForm(request.POST or None, instance=staff)
        if request.method == "POST" and form.is_valid():
            try:
                # The form has already written its values onto ``staff``: give the service the stored
                # record, so it sees (saves and logs) the changes.
                stored = selectors.staff_get(access=access, pk=staff.pk)
                services.staff_update(actor=request.user, staff=stored, data=form.changed_values())
                messages.success(request, _("Saved."))
                return redirect("staff-detail", pk=staff.pk)
            except DomainError as exc:
                form.add_domain_error(exc)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "org/staff_detail.html",
        {"staff": staff, "personal": personal, "form": form, "object_type": "org.staff"},
    )


# Governance ------------------------------------------------------------------------------------


@serves(
    "GOV-SH-1",
    "GOV-SH-2",
    "GOV-SH-3",
    "GOV-SH-4",
    "GOV-SH-5",
    "GOV-SH-6",
    "GOV-SH-7",
    "GOV-SH-8",
    "GOV-BD-1",
    "GOV-BD-2",
    "GOV-BD-3",
    "GOV-BD-4",
    "GOV-SV-1",
    "GOV-SV-2",
    "GOV-CH-1",
    "GOV-CH-8",
    feature=gettext_noop("Governance register"),
)
@capability_required("governance.view")
def governance_register(request):
    """Meetings, resolutions and overdue action items of all three governance bodies."""
    access = request.access
    outcome = request.GET.get("outcome", "")
    return render(
        request,
        "org/governance.html",
        {
            "bodies": GovernanceBody.objects.select_related("unit"),
            "meetings": selectors.meeting_list(access=access)[:20],
            "resolutions": selectors.resolution_list(
                access=access, outcome=outcome, search=request.GET.get("q", "")
            )[:100],
            "overdue": selectors.action_item_list(access=access, overdue_only=True)[:50],
            "outcomes": Resolution.Outcome.choices,
            "can_change": access.can("governance.change"),
            "outcome": outcome,
        },
    )


@serves("GOV-SH-1", "GOV-BD-1", "GOV-SV-3", "GOV-SV-5", feature=gettext_noop("Meeting record"))
@capability_required("governance.view")
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(selectors.meeting_list(access=request.access), pk=pk)
    return render(
        request,
        "org/meeting.html",
        {
            "meeting": meeting,
            "resolutions": meeting.resolutions.all(),
            "attendees": meeting.attendees.select_related("department"),
            "can_change": request.access.can("governance.change"),
        },
    )


@serves(
    "GOV-SV-4",
    "GOV-SV-5",
    "GOV-CH-3",
    "GM-2",
    "GOV-BD-2",
    feature=gettext_noop("Resolution with votes, documents, action items and supervisory questions"),
)
@capability_required("governance.view")
def resolution_detail(request, pk: int):
    access = request.access
    resolution = get_object_or_404(selectors.resolution_list(access=access), pk=pk)
    question_form = forms.QuestionForm(request.POST or None) if access.can("governance.question") else None
    if request.method == "POST":
        if question_form is None:
            raise Http404
        if question_form.is_valid():
            services.question_file(actor=request.user, resolution=resolution, **question_form.cleaned_data)
            messages.success(request, _("Filed."))
            return redirect("resolution-detail", pk=resolution.pk)
    return render(
        request,
        "org/resolution.html",
        {
            "resolution": resolution,
            "actions": resolution.action_items.select_related("department", "owner"),
            "documents": resolution.documents.all(),
            "questions": resolution.questions.select_related("filed_by"),
            "question_form": question_form,
            "can_change": access.can("governance.change"),
            "object_type": "org.resolution",
        },
    )


@serves("GOV-CH-3", "GM-2", feature=gettext_noop("Resolution follow-up: action items and overdue list"))
@login_only
def action_items(request):
    """Action items the user may see; the overdue list is the default view for executives."""
    access = request.access
    overdue = request.GET.get("overdue") == "1"
    items = selectors.action_item_list(access=access, overdue_only=overdue)
    status = request.GET.get("status", "")
    if status:
        items = items.filter(status=status)
    return render(
        request,
        "org/action_items.html",
        {
            "items": items[:300],
            "overdue": overdue,
            "status": status,
            "statuses": ActionItem.Status.choices,
            "today": timezone.localdate(),
        },
    )


@login_only
def action_item_status(request, pk: int):
    """htmx: change an action item's status; answers with the updated row."""
    item = selectors.action_item_list(access=request.access).filter(pk=pk).first()
    if item is None or request.method != "POST":
        raise Http404
    try:
        item = services.action_item_set_status(
            actor=request.user, item=item, status=request.POST.get("status", "")
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return render(request, "org/_action_row.html", {"item": item, "statuses": ActionItem.Status.choices})


action_item_status.liveops_capabilities = ("authenticated",)


@serves(
    "GM-3", "GOV-BD-3", "GOV-CH-2", "GOV-CH-5", feature=gettext_noop("Plans and budgets with board approval")
)
@capability_required("governance.view")
def plans(request):
    access = request.access
    if request.method == "POST":
        if not access.can("governance.approve") and not access.can("governance.change"):
            raise Http404
        plan = get_object_or_404(selectors.plan_list(access=access), pk=int_or_none(request.POST.get("plan")))
        try:
            action = request.POST.get("action")
            if action == "submit":
                services.plan_submit(actor=request.user, plan=plan)
            elif action == "approve":
                resolution = get_object_or_404(Resolution, pk=int_or_none(request.POST.get("resolution")))
                services.plan_approve(actor=request.user, plan=plan, resolution=resolution)
            elif action == "return":
                services.plan_return(actor=request.user, plan=plan, reason=request.POST.get("reason", ""))
            messages.success(request, _("Saved."))
        except (DomainError, ValidationError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("plans")
    board_resolutions = selectors.resolution_list(access=access, outcome="passed").filter(
        meeting__body__kind="board"
    )
    return render(
        request,
        "org/plans.html",
        {
            "plans": selectors.plan_list(access=access),
            "board_resolutions": board_resolutions[:50],
            "can_approve": access.can("governance.approve"),
        },
    )


def _history_check_staff(access, user, object_id: str) -> bool:
    return (pk := int_or_none(object_id)) is not None and selectors.staff_get(
        access=access, pk=pk
    ) is not None


def _history_check_governance(access, user, object_id: str) -> bool:
    return access.can("governance.view")


@serves(
    "GOV-CH-6",
    "GOV-BD-3",
    "GOV-SV-1",
    "GOV-SH-4",
    feature=gettext_noop("Financial statements: key figures, chairman review, board approval"),
)
@capability_required("governance.view")
def statements(request):
    """Financial statements with their trend, the chairman's review and the board's approval."""
    access = request.access
    if request.method == "POST":
        if not access.can("governance.approve"):
            raise Http404
        statement = get_object_or_404(
            selectors.statement_list(access=access), pk=int_or_none(request.POST.get("statement"))
        )
        try:
            if request.POST.get("action") == "review":
                services.statement_review(
                    actor=request.user, statement=statement, notes=request.POST.get("notes", "")
                )
            elif request.POST.get("action") == "approve":
                resolution = get_object_or_404(Resolution, pk=int_or_none(request.POST.get("resolution")))
                services.statement_approve(actor=request.user, statement=statement, resolution=resolution)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("statements")
    rows = list(selectors.statement_list(access=access))
    monthly = sorted((s for s in rows if s.kind == "monthly"), key=lambda s: s.period)
    trend = {
        "periods": [s.period for s in monthly],
        "series": [
            {"name": str(_("Revenue")), "data": [float(s.revenue) for s in monthly]},
            {"name": str(_("Gross profit")), "data": [float(s.gross_profit) for s in monthly]},
            {"name": str(_("Net profit")), "data": [float(s.net_profit) for s in monthly]},
        ],
    }
    board_resolutions = selectors.resolution_list(access=access, outcome="passed").filter(
        meeting__body__kind="board"
    )
    return render(
        request,
        "org/statements.html",
        {
            "statements": rows,
            "trend": trend,
            "can_approve": access.can("governance.approve"),
            "board_resolutions": board_resolutions[:50],
        },
    )


@serves("GOV-CH-7", feature=gettext_noop("Contract register with signing authority by amount"))
@capability_required("governance.view")
def contracts(request):
    """Major contracts and the signing-authority table that decides who may sign them."""
    access = request.access
    return render(
        request,
        "org/contracts.html",
        {
            "contracts": selectors.contract_list(access=access)[:300],
            "authorities": selectors.signing_authorities(),
        },
    )


@serves(
    "GOV-CH-4",
    "GOV-BD-2",
    "GOV-SH-3",
    feature=gettext_noop("Senior management roster and appointment resolutions"),
)
@capability_required("governance.view")
def appointments(request):
    """Who holds each senior post, and the appointment and dismissal resolutions behind them."""
    access = request.access
    resolutions = selectors.resolution_list(access=access).filter(topic=Resolution.Topic.APPOINTMENT)
    return render(
        request,
        "org/appointments.html",
        {"posts": selectors.senior_management(access=access), "resolutions": resolutions[:100]},
    )


# Recording the register (board office: governance.change) -------------------------------------------


def _form_page(request, *, form, title: str, back: str, submit: str | None = None, save=None, done=None):
    """One form page for the governance register: on a valid POST call ``save`` (a service call
    taking the cleaned data), then redirect to ``done(result)``; domain errors land on the form."""
    if save is not None and request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        except ValidationError as exc:  # model validation inside the service (full_clean)
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(done(result))
    context = {"form": form, "title": title, "back": back, "submit": submit or _("Save")}
    return render(request, "org/form.html", context)


def _resolution_url(resolution) -> str:
    return reverse("resolution-detail", args=[resolution.pk])


@serves(
    "GOV-SH-1", "GOV-BD-1", "GOV-SV-3", feature=gettext_noop("Record a meeting with agenda and attendees")
)
@capability_required("governance.change")
def meeting_create(request):
    return _form_page(
        request,
        form=forms.MeetingForm(request.POST or None),
        title=_("New meeting"),
        back=reverse("governance"),
        save=lambda data: services.meeting_create(actor=request.user, **data),
        done=lambda meeting: reverse("meeting-detail", args=[meeting.pk]),
    )


@serves("GOV-SH-1", "GOV-BD-1", "GOV-SV-4", feature=gettext_noop("Put a proposal on a meeting's agenda"))
@capability_required("governance.change")
def resolution_propose(request, pk: int):
    meeting = get_object_or_404(selectors.meeting_list(access=request.access), pk=pk)
    return _form_page(
        request,
        form=forms.ProposalForm(request.POST or None),
        title=_("New proposal: %(meeting)s") % {"meeting": meeting.title},
        back=reverse("meeting-detail", args=[meeting.pk]),
        save=lambda data: services.resolution_propose(actor=request.user, meeting=meeting, **data),
        done=_resolution_url,
    )


@serves("GOV-SH-1", "GOV-BD-1", feature=gettext_noop("Record the vote on a proposal"))
@capability_required("governance.change")
def resolution_vote(request, pk: int):
    resolution = get_object_or_404(selectors.resolution_list(access=request.access), pk=pk)
    return _form_page(
        request,
        form=forms.VoteForm(request.POST or None),
        title=_("Vote: %(number)s") % {"number": resolution.number},
        back=_resolution_url(resolution),
        save=lambda data: services.resolution_decide(actor=request.user, resolution=resolution, **data),
        done=_resolution_url,
    )


@serves("GOV-CH-3", "GM-2", feature=gettext_noop("Assign an action item from a resolution"))
@capability_required("governance.change")
def action_item_create(request, pk: int):
    resolution = get_object_or_404(selectors.resolution_list(access=request.access), pk=pk)
    return _form_page(
        request,
        form=forms.ActionItemForm(request.POST or None),
        title=_("New action item: %(number)s") % {"number": resolution.number},
        back=_resolution_url(resolution),
        save=lambda data: services.action_item_create(actor=request.user, resolution=resolution, **data),
        done=lambda _item: _resolution_url(resolution),
    )


@capability_required("governance.change")
def resolution_document_add(request, pk: int):
    resolution = get_object_or_404(selectors.resolution_list(access=request.access), pk=pk)
    return _form_page(
        request,
        form=forms.DocumentForm(request.POST or None, request.FILES or None),
        title=_("Attach a document: %(number)s") % {"number": resolution.number},
        back=_resolution_url(resolution),
        submit=_("Upload"),
        save=lambda data: services.resolution_document_add(actor=request.user, resolution=resolution, **data),
        done=lambda _doc: _resolution_url(resolution),
    )


@capability_required("governance.view")
def resolution_document_download(request, pk: int):
    """Documents are served only through this permission-checked view (nothing serves /media/)."""
    doc = get_object_or_404(
        ResolutionDocument.objects.filter(resolution__in=selectors.resolution_list(access=request.access)),
        pk=pk,
    )
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.file.name.rsplit("/", 1)[-1])


@serves("GOV-BD-5", feature=gettext_noop("Change the org tree with the approving board resolution"))
@capability_required("org.change")
def unit_change(request, code: str):
    """Rename, move or close a unit; refused without a passed board resolution on the org structure."""
    if not request.access.can("governance.change"):
        raise PermissionDenied
    department = get_object_or_404(selectors.department_list(access=request.access), code=code)
    initial = {
        "name_zh": department.name_zh,
        "name_en": department.name_en,
        "parent": department.parent,
        "is_active": department.is_active,
    }
    form = forms.UnitChangeForm(request.POST or None, initial=initial)

    def save(data: dict):
        changes = {
            k: data[k] for k in ("name_zh", "name_en", "parent", "is_active") if k in form.changed_data
        }
        return services.department_update(
            actor=request.user, department=department, resolution=data["resolution"], data=changes
        )

    return _form_page(
        request,
        form=form,
        title=_("Change unit: %(name)s") % {"name": department.name},
        back=reverse("department-detail", args=[department.code]),
        save=save,
        done=lambda dept: reverse("department-detail", args=[dept.code]),
    )


@serves("GOV-BD-5", feature=gettext_noop("Add a unit with the approving board resolution"))
@capability_required("org.change")
def unit_create(request, code: str):
    if not request.access.can("governance.change"):
        raise PermissionDenied
    parent = get_object_or_404(selectors.department_list(access=request.access), code=code)
    return _form_page(
        request,
        form=forms.UnitCreateForm(request.POST or None),
        title=_("New unit under %(name)s") % {"name": parent.name},
        back=reverse("department-detail", args=[parent.code]),
        save=lambda data: services.department_create(actor=request.user, parent=parent, **data),
        done=lambda dept: reverse("department-detail", args=[dept.code]),
    )
