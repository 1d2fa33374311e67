"""Pages of quality control (直播品控部). Thin: selectors read, services write; every page needs
``quality.view`` and every write its own capability (checked again by the service)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liveops.commerce.selectors import aftersales as aftersales_sel
from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.exports import export_response
from liveops.core.forms import form_service_call, int_or_none
from liveops.core.models import AuditAction
from liveops.core.permissions import capability_required
from liveops.quality import forms, scorecards, selectors, services
from liveops.quality.models import CorrectiveAction, Defect, Inspection

LIST_LIMIT = 200


def _require(access, capability: str) -> None:
    if not access.can(capability):
        raise PermissionDenied


def _export(request, *, name: str, header: list, rows) -> object:
    if not request.access.can("quality.export"):
        raise PermissionDenied
    rows = list(rows)
    fmt = request.GET.get("export")
    audit_log(
        actor=request.user,
        action=AuditAction.ACTION,
        verb="export",
        object_type_label=f"quality.{name}",
        object_repr=f"{name} export ({len(rows)})",
        changes={"format": fmt, "filters": dict(request.GET.items())},
    )
    return export_response(fmt=fmt, filename=name, header=header, rows=rows)


# Checklists (QC-1) -----------------------------------------------------------------------------


@serves("QC-1", feature=gettext_noop("Inspection checklists per category (versioned)"))
@capability_required("quality.view")
def checklists(request):
    access = request.access
    can_change = access.can("quality.change")
    form = forms.ChecklistForm(request.POST or None) if can_change else None
    if request.method == "POST":
        _require(access, "quality.change")
        if form.is_valid():
            cd = form.cleaned_data
            checklist = form_service_call(
                form,
                lambda: services.checklist_create(
                    actor=request.user, category=cd["category"], title=cd["title"], items=form.items()
                ),
            )
            if checklist:
                messages.success(request, _("Checklist saved."))
                return redirect("quality-checklist", pk=checklist.pk)
    return render(
        request,
        "quality/checklists.html",
        {"checklists": selectors.checklist_list(access=access), "form": form},
    )


@serves("QC-1", feature=gettext_noop("Checklist versions and revision"))
@capability_required("quality.view")
def checklist_detail(request, pk: int):
    access = request.access
    checklist = get_object_or_404(selectors.checklist_list(access=access, include_old=True), pk=pk)
    can_revise = access.can("quality.change") and checklist.is_active
    form = None
    if can_revise:
        form = forms.ChecklistForm(
            request.POST or None, revise=True, initial=forms.ChecklistForm.initial_for(checklist)
        )
    if request.method == "POST":
        _require(access, "quality.change")
        if form is None:
            messages.error(request, _("Only the version in use can be revised."))
            return redirect("quality-checklist", pk=checklist.pk)
        if form.is_valid():
            new = form_service_call(
                form,
                lambda: services.checklist_revise(
                    actor=request.user,
                    checklist=checklist,
                    title=form.cleaned_data["title"],
                    items=form.items(),
                ),
            )
            if new:
                messages.success(
                    request,
                    _("Saved as version %(v)s; the previous version is no longer in use.")
                    % {"v": new.version},
                )
                return redirect("quality-checklist", pk=new.pk)
    return render(
        request,
        "quality/checklist_detail.html",
        {
            "checklist": checklist,
            "items": checklist.items.all(),
            "form": form,
            "versions": selectors.checklist_versions(access=access, category_id=checklist.category_id),
        },
    )


# Inspections (QC-2) ----------------------------------------------------------------------------


@serves("QC-2", feature=gettext_noop("Inspections of samples and inbound batches"))
@capability_required("quality.view")
def inspections(request):
    access = request.access
    result, kind = request.GET.get("result", ""), request.GET.get("kind", "")
    product_id, merchant_id = (
        int_or_none(request.GET.get("product")),
        int_or_none(request.GET.get("merchant")),
    )
    qs = selectors.inspection_list(
        access=access,
        result=result if result in Inspection.Result.values else "",
        kind=kind if kind in Inspection.Kind.values else "",
        product_id=product_id,
        merchant_id=merchant_id,
    )
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(
            request,
            name="inspections",
            header=[
                _("ID"),
                _("Kind"),
                _("Product"),
                _("Merchant"),
                _("Sample"),
                _("Batch number"),
                _("Checklist"),
                _("Inspector"),
                _("Inspected at"),
                _("Result"),
            ],
            rows=(
                [
                    i.pk,
                    i.get_kind_display(),
                    i.product.title,
                    i.product.merchant.name,
                    i.sample_id or "",
                    i.batch_no,
                    str(i.checklist),
                    i.inspector.get_username(),
                    timezone.localtime(i.inspected_at).strftime("%Y-%m-%d %H:%M"),
                    i.get_result_display(),
                ]
                for i in qs.iterator(chunk_size=2000)
            ),
        )
    form = None
    if access.can("quality.change"):
        initial = {
            "product": int_or_none(request.GET.get("product")),
            "sample": int_or_none(request.GET.get("sample")),
            "kind": "sample"
            if request.GET.get("sample")
            else "inbound"
            if request.GET.get("batch")
            else "sample",
        }
        form = forms.InspectionStartForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require(access, "quality.change")
        if form.is_valid():
            cd = form.cleaned_data
            inspection = form_service_call(
                form,
                lambda: services.inspection_start(
                    actor=request.user,
                    product=cd["product"],
                    kind=cd["kind"],
                    sample=cd.get("sample"),
                    batch_no=cd.get("batch_no", ""),
                    notes=cd.get("notes", ""),
                ),
            )
            if inspection:
                return redirect("quality-inspection", pk=inspection.pk)
    rows = list(qs[:LIST_LIMIT])
    return render(
        request,
        "quality/inspections.html",
        {
            "inspections": rows,
            "truncated": len(rows) == LIST_LIMIT,
            "form": form,
            "results": Inspection.Result.choices,
            "kinds": Inspection.Kind.choices,
            "result": result,
            "can_export": access.can("quality.export"),
            "kind": kind,
            "product": product_id or "",
            "merchant": merchant_id or "",
        },
    )


def _item_rows(inspection):
    answers = {r.item_id: r for r in inspection.item_results.all()}
    return [(item, answers.get(item.pk)) for item in inspection.checklist.items.all()]


@serves("QC-2", feature=gettext_noop("Inspection form: pass/fail per checklist item with note and photo"))
@capability_required("quality.view")
def inspection_detail(request, pk: int):
    access = request.access
    inspection = selectors.inspection_get(access=access, pk=pk)
    if inspection is None:
        raise Http404
    can_record = access.can("quality.change") and inspection.result == Inspection.Result.PENDING
    complete_form = forms.InspectionCompleteForm(request.POST or None) if can_record else None
    if request.method == "POST":
        _require(access, "quality.change")
        if complete_form is None:
            messages.error(request, _("This inspection is already completed."))
            return redirect("quality-inspection", pk=inspection.pk)
        if complete_form.is_valid():
            cd = complete_form.cleaned_data
            done = form_service_call(
                complete_form,
                lambda: services.inspection_complete(
                    actor=request.user,
                    inspection=inspection,
                    open_defect=cd["open_defect"],
                    defect_severity=cd["defect_severity"] or None,
                ),
            )
            if done:
                messages.success(
                    request, _("Inspection completed: %(result)s.") % {"result": done.get_result_display()}
                )
                return redirect("quality-inspection", pk=inspection.pk)
    return render(
        request,
        "quality/inspection_detail.html",
        {
            "inspection": inspection,
            "rows": _item_rows(inspection),
            "can_record": can_record,
            "complete_form": complete_form,
            "defects": inspection.defects.all(),
        },
    )


@capability_required("quality.view")
def inspection_item(request, pk: int, item_pk: int):
    """Record one item's pass/fail (htmx: answers with the updated row; plain POST: back to the form)."""
    access = request.access
    inspection = selectors.inspection_get(access=access, pk=pk)
    if inspection is None:
        raise Http404
    item = get_object_or_404(inspection.checklist.items.all(), pk=item_pk)
    if request.method != "POST":
        return redirect("quality-inspection", pk=inspection.pk)
    _require(access, "quality.change")
    form = forms.ItemResultForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        cd = form.cleaned_data
        result = form_service_call(
            form,
            lambda: services.inspection_record_item(
                actor=request.user,
                inspection=inspection,
                item=item,
                passed=cd["passed"],
                note=cd["note"],
                photo=cd.get("photo"),
            ),
        )
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("quality-inspection", pk=inspection.pk)
    if result is None:
        result = inspection.item_results.filter(item=item).first()
    return render(
        request,
        "quality/_item_row.html",
        {
            "inspection": inspection,
            "item": item,
            "result": result,
            "can_record": True,
            "errors": [str(e) for errs in form.errors.values() for e in errs],
        },
    )


@capability_required("quality.view")
def inspection_photo(request, pk: int, item_pk: int):
    """The photo of one item result, only to people who may see the inspection (media is not public)."""
    inspection = selectors.inspection_get(access=request.access, pk=pk)
    if inspection is None:
        raise Http404
    result = inspection.item_results.filter(item_id=item_pk).first()
    if result is None or not result.photo:
        raise Http404
    try:
        handle = result.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, filename=result.photo.name.rsplit("/", 1)[-1])


# Defects and CAPA (QC-2, QC-4) -----------------------------------------------------------------


@serves("QC-2", "QC-4", feature=gettext_noop("Defect register with overdue corrective actions"))
@capability_required("quality.view")
def defects(request):
    access = request.access
    status, severity = request.GET.get("status", ""), request.GET.get("severity", "")
    qs = selectors.defect_list(
        access=access,
        status=status if status in Defect.Status.values else "",
        severity=severity if severity in Defect.Severity.values else "",
        merchant_id=int_or_none(request.GET.get("merchant")),
        product_id=int_or_none(request.GET.get("product")),
    )
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(
            request,
            name="defects",
            header=[
                _("ID"),
                _("Found on"),
                _("Product"),
                _("Merchant"),
                _("Severity"),
                _("Status"),
                _("Description"),
                _("Closed on"),
            ],
            rows=(
                [
                    d.pk,
                    d.found_on.isoformat(),
                    d.product.title,
                    d.merchant.name,
                    d.get_severity_display(),
                    d.get_status_display(),
                    d.description,
                    d.closed_on.isoformat() if d.closed_on else "",
                ]
                for d in qs.iterator(chunk_size=2000)
            ),
        )
    form = (
        forms.DefectForm(request.POST or None, initial={"product": int_or_none(request.GET.get("product"))})
        if access.can("quality.change")
        else None
    )
    if request.method == "POST":
        _require(access, "quality.change")
        if form.is_valid():
            cd = form.cleaned_data
            defect = form_service_call(
                form,
                lambda: services.defect_create(
                    actor=request.user,
                    product=cd["product"],
                    severity=cd["severity"],
                    description=cd["description"],
                ),
            )
            if defect:
                return redirect("quality-defect", pk=defect.pk)
    rows = list(qs[:LIST_LIMIT])
    return render(
        request,
        "quality/defects.html",
        {
            "defects": rows,
            "truncated": len(rows) == LIST_LIMIT,
            "overdue": selectors.capa_list(access=access, overdue_only=True)[:100],
            "form": form,
            "statuses": Defect.Status.choices,
            "severities": Defect.Severity.choices,
            "status": status,
            "severity": severity,
            "today": timezone.localdate(),
            "can_export": access.can("quality.export"),
        },
    )


@serves("QC-2", "QC-4", feature=gettext_noop("Defect with corrective and preventive actions (CAPA)"))
@capability_required("quality.view")
def defect_detail(request, pk: int):
    access = request.access
    defect = selectors.defect_get(access=access, pk=pk)
    if defect is None:
        raise Http404
    can_change = access.can("quality.change") and defect.status != Defect.Status.CLOSED
    capa_form = (
        forms.CapaForm(request.POST if request.POST.get("op") == "add_capa" else None) if can_change else None
    )
    update_form = None
    if request.method == "POST":
        _require(access, "quality.change")
        op = request.POST.get("op")  # which form was sent ("action" is a field of the CAPA form)
        if op == "add_capa" and capa_form is not None:
            if capa_form.is_valid():
                cd = capa_form.cleaned_data
                if form_service_call(
                    capa_form,
                    lambda: services.capa_add(
                        actor=request.user,
                        defect=defect,
                        kind=cd["kind"],
                        action=cd["action"],
                        due_on=cd["due_on"],
                        owner=cd["owner"],
                    ),
                ):
                    messages.success(request, _("Action added."))
                    return redirect("quality-defect", pk=defect.pk)
        elif op == "update_capa":
            capa = get_object_or_404(defect.actions.all(), pk=int_or_none(request.POST.get("capa")))
            update_form = forms.CapaUpdateForm(request.POST)
            if update_form.is_valid():
                cd = update_form.cleaned_data
                if form_service_call(
                    update_form,
                    lambda: services.capa_update(
                        actor=request.user, capa=capa, status=cd["status"], follow_up=cd["follow_up"]
                    ),
                ):
                    messages.success(request, _("Saved."))
                    return redirect("quality-defect", pk=defect.pk)
            messages.error(request, " ".join(str(e) for errs in update_form.errors.values() for e in errs))
            return redirect("quality-defect", pk=defect.pk)
        elif op == "close":
            try:
                services.defect_close(actor=request.user, defect=defect)
                messages.success(request, _("Defect closed."))
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                messages.error(request, str(exc.message))
            return redirect("quality-defect", pk=defect.pk)
        else:
            raise Http404
    return render(
        request,
        "quality/defect_detail.html",
        {
            "defect": defect,
            "actions": defect.actions.select_related("owner"),
            "capa_form": capa_form,
            "can_change": can_change,
            "capa_statuses": CorrectiveAction.Status.choices,
            "today": timezone.localdate(),
            "can_block": access.can("quality.block"),
        },
    )


# Blocklist (QC-4) ------------------------------------------------------------------------------


@serves("QC-4", feature=gettext_noop("Blocklist of merchants and products"))
@capability_required("quality.view")
def blocklist(request):
    access = request.access
    state = request.GET.get("state", "active")
    active = {"active": True, "lifted": False}.get(state)
    form = None
    if access.can("quality.block"):
        merchant, product = int_or_none(request.GET.get("merchant")), int_or_none(request.GET.get("product"))
        initial = {"target": "product" if product else "merchant", "merchant": merchant, "product": product}
        form = forms.BlockForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require(access, "quality.block")
        if form.is_valid():
            cd = form.cleaned_data
            if cd["target"] == "merchant":
                block = form_service_call(
                    form,
                    lambda: services.block_merchant(
                        actor=request.user, merchant=cd["merchant"], reason=cd["reason"]
                    ),
                )
            else:
                block = form_service_call(
                    form,
                    lambda: services.block_product(
                        actor=request.user, product=cd["product"], reason=cd["reason"]
                    ),
                )
            if block:
                messages.success(request, _("Added to the blocklist."))
                return redirect("quality-blocklist")
    rows = list(selectors.block_list(access=access, active=active)[:LIST_LIMIT])
    return render(
        request,
        "quality/blocklist.html",
        {
            "blocks": rows,
            "truncated": len(rows) == LIST_LIMIT,
            "state": state,
            "form": form,
            "can_lift": access.can("quality.approve"),
            "lift_form": forms.LiftForm() if access.can("quality.approve") else None,
        },
    )


@capability_required("quality.approve")
def block_lift(request, pk: int):
    """Lift a block (managers only): POST with the reason."""
    block = selectors.block_get(access=request.access, pk=pk)
    if block is None:
        raise Http404
    if request.method != "POST":
        return redirect("quality-blocklist")
    form = forms.LiftForm(request.POST)
    if form.is_valid() and form_service_call(
        form, lambda: services.block_lift(actor=request.user, block=block, reason=form.cleaned_data["reason"])
    ):
        messages.success(request, _("Block lifted."))
    else:
        messages.error(
            request,
            " ".join(str(e) for errs in form.errors.values() for e in errs) or _("Could not lift the block."),
        )
    return redirect(f"{reverse('quality-blocklist')}?state=all")


# Scorecards (QC-6) -----------------------------------------------------------------------------


@serves(
    "QC-5",
    "QC-6",
    feature=gettext_noop("Merchant scorecards per period; quality complaint rate per product and merchant"),
)
@capability_required("quality.view")
def scorecard_page(request):
    access = request.access
    periods = selectors.scorecard_periods(access=access)
    current = timezone.localdate().strftime("%Y-%m")
    period = request.GET.get("period") or (periods[0] if periods else current)
    if not scorecards.PERIOD_RE.match(period):
        period = current
    if request.method == "POST":
        _require(access, "quality.change")
        period = request.POST.get("period", "")
        try:
            n = scorecards.scorecard_compute(actor=request.user, period=period)
            messages.success(
                request, _("Computed %(n)s scorecards for %(period)s.") % {"n": n, "period": period}
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("quality-scorecards")
        return redirect(f"{reverse('quality-scorecards')}?period={period}")
    qs = selectors.scorecard_list(access=access, period=period)
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(
            request,
            name="scorecards",
            header=[
                _("Period"),
                _("Merchant"),
                _("Quality"),
                _("Compliance"),
                _("After-sales"),
                _("Delivery"),
                _("Total"),
                _("Below threshold"),
            ],
            rows=(
                [
                    c.period,
                    c.merchant.name,
                    c.quality,
                    c.compliance,
                    c.after_sales,
                    c.delivery,
                    c.total,
                    _("yes") if c.flagged else "",
                ]
                for c in qs.iterator(chunk_size=2000)
            ),
        )
    cards = list(qs[:LIST_LIMIT])
    chart = [{"name": c.merchant.name, "total": float(c.total), "flagged": c.flagged} for c in cards[:30]]
    first, last = scorecards.period_bounds(period)
    quality_returns = [
        (_("Merchants"), aftersales_sel.quality_returns(by="merchant", date_from=first, date_to=last)),
        (_("Products"), aftersales_sel.quality_returns(by="product", date_from=first, date_to=last)),
    ]
    return render(
        request,
        "quality/scorecards.html",
        {
            "cards": cards,
            "truncated": len(cards) == LIST_LIMIT,
            "period": period,
            "periods": periods,
            "chart": chart,
            "threshold": scorecards.threshold(),
            "can_compute": access.can("quality.change"),
            "can_export": access.can("quality.export"),
            "weights": {k: int(v * 100) for k, v in scorecards.WEIGHTS.items()},
            "quality_returns": quality_returns,
            "return_alert": aftersales_sel.quality_return_alert(),
        },
    )


# History tabs ----------------------------------------------------------------------------------


def _history_check(getter):
    def check(access, user, object_id: str) -> bool:
        return (pk := int_or_none(object_id)) is not None and getter(access=access, pk=pk) is not None

    return check


def _checklist_get(*, access, pk):
    return selectors.checklist_list(access=access, include_old=True).filter(pk=pk).first()


HISTORY_CHECKS = {
    "quality.checklist": _history_check(_checklist_get),
    "quality.inspection": _history_check(selectors.inspection_get),
    "quality.defect": _history_check(selectors.defect_get),
    "quality.block": _history_check(selectors.block_get),
}
