"""Deals (MC-5), the samples ledger, the selection board and list (MR-5), selection meetings (MC-2)
and the printable selection report (MC-4). Thin: selectors read, services write; a refused write
shows the service's message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from liveops.core.duties import serves
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.forms import DateInput, DomainErrorMixin, int_or_none
from liveops.core.permissions import capability_required
from liveops.org.models import Staff
from liveops.sourcing.models import Contract, Deal, PipelineStage, Sample, SelectionReview
from liveops.sourcing.selectors import deals as deal_sel
from liveops.sourcing.selectors import pipeline as pipe_sel
from liveops.sourcing.selectors import samples as sample_sel
from liveops.sourcing.services import deals as deal_svc
from liveops.sourcing.services import pipeline as pipe_svc
from liveops.sourcing.services import samples as sample_svc

# Forms -----------------------------------------------------------------------------------------

_DATE = DateInput()


class DealTermsForm(DomainErrorMixin, forms.Form):
    live_price = forms.DecimalField(
        label=_l("Live price (CNY)"), max_digits=15, decimal_places=2, min_value=0
    )
    regular_price = forms.DecimalField(
        label=_l("Regular price (CNY)"), max_digits=15, decimal_places=2, min_value=0
    )
    commission_rate = forms.DecimalField(
        label=_l("Commission rate"),
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=1,
        help_text=_l("0.2000 = 20%"),
    )
    slot_fee = forms.DecimalField(
        label=_l("Slot fee (坑位费, CNY)"), max_digits=15, decimal_places=2, min_value=0, initial=0
    )
    guaranteed_stock = forms.IntegerField(
        label=_l("Guaranteed stock"), min_value=0, max_value=2_147_483_647, initial=0
    )
    exclusive = forms.BooleanField(label=_l("Exclusive"), required=False)
    valid_from = forms.DateField(label=_l("Valid from"), widget=_DATE)
    valid_to = forms.DateField(label=_l("Valid to"), widget=_DATE)
    gifts = forms.CharField(
        label=_l("Gifts and coupons"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SampleForm(DomainErrorMixin, forms.Form):
    quantity = forms.IntegerField(label=_l("Quantity"), min_value=1, max_value=1_000_000)
    unit_cost = forms.DecimalField(
        label=_l("Unit cost (CNY)"), max_digits=15, decimal_places=2, min_value=0, initial=0
    )
    must_return = forms.BooleanField(label=_l("Must be returned"), required=False)
    return_due = forms.DateField(label=_l("Return due"), required=False, widget=_DATE)
    holder = forms.ModelChoiceField(label=_l("Held by"), queryset=Staff.objects.none(), required=False)
    location = forms.CharField(label=_l("Location"), max_length=100, required=False)
    received_on = forms.DateField(label=_l("Received on"), required=False, widget=_DATE)

    def __init__(self, *args, department_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = Staff.objects.filter(
            is_active=True, department_id=department_id
        ).order_by("name_pinyin")


def _control(form) -> None:
    for f in form.fields.values():
        css = (
            "form-check-input"
            if isinstance(f.widget, forms.CheckboxInput)
            else "form-control form-control-sm"
        )
        if isinstance(f.widget, forms.Select):
            css = "form-select form-select-sm"
        f.widget.attrs.setdefault("class", css)


def _product_or_404(request, pk) -> object:
    product = pipe_sel.product_get(access=request.access, pk=int_or_none(pk)) if int_or_none(pk) else None
    if product is None:
        raise Http404
    return product


def _pick_product(request, *, title: str):
    """Without ``?product=``: search the products the user may change and pick one."""
    q = request.GET.get("q", "").strip()
    products = (
        pipe_sel.product_pipeline_list(access=request.access, search=q).order_by("-id")[:50] if q else []
    )
    return render(
        request, "sourcing/pipeline/pick_product.html", {"title": title, "q": q, "products": products}
    )


def _refused(request, exc: DomainError):
    if isinstance(exc, NotAllowed):
        raise PermissionDenied from exc
    messages.error(request, str(exc.message))


# Deals (MC-5) ----------------------------------------------------------------------------------


@serves("MC-5", "MR-5", feature=gettext_noop("Deals: terms per product, approval and versions"))
@capability_required("sourcing.view")
def deal_list(request):
    access = request.access
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    deals = deal_sel.deal_list(access=access, status=status if status in Deal.Status.values else "")
    if q:
        deals = deals.filter(product__title__icontains=q) | deals.filter(merchant__name__icontains=q)
    return render(
        request,
        "sourcing/pipeline/deal_list.html",
        {
            "deals": deals[:200],
            "status": status,
            "q": q,
            "statuses": Deal.Status.choices,
            "can_change": access.can("sourcing.change"),
        },
    )


@serves("MC-5", "MR-5", feature=gettext_noop("Deals: negotiate terms for a product"))
@capability_required("sourcing.change")
def deal_create(request):
    if not (request.GET.get("product") or request.POST.get("product")):
        return _pick_product(request, title=_("New terms"))
    product = _product_or_404(request, request.GET.get("product") or request.POST.get("product", ""))
    current = deal_sel.deal_current(product=product)
    initial = {"regular_price": product.regular_price, "valid_from": timezone.localdate()}
    form = DealTermsForm(request.POST or None, initial=initial)
    _control(form)
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_svc.deal_create(actor=request.user, product=product, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("deal-detail", pk=deal.pk)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(
        request, "sourcing/pipeline/deal_form.html", {"form": form, "product": product, "current": current}
    )


@serves("MC-5", "MR-5", feature=gettext_noop("Deal: terms, approval, revision and contracts"))
@capability_required("sourcing.view")
def deal_detail(request, pk: int):
    access = request.access
    deal = deal_sel.deal_get(access=access, pk=pk)
    if deal is None:
        raise Http404
    dept = deal.product.department_id
    can_change = access.reaches_department("sourcing.change", dept)
    can_approve = access.reaches_department("sourcing.approve", dept)
    terms_initial = {f: getattr(deal, f) for f in deal_svc.TERM_FIELDS}
    form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not (can_change or can_approve):
            raise PermissionDenied
        try:
            if action == "submit":
                deal_svc.deal_submit(actor=request.user, deal=deal)
            elif action == "approve":
                deal_svc.deal_approve(actor=request.user, deal=deal)
            elif action == "reject":
                deal_svc.deal_reject(actor=request.user, deal=deal, reason=request.POST.get("reason", ""))
            elif action in ("edit", "revise"):
                form = DealTermsForm(request.POST)
                _control(form)
                if form.is_valid():
                    changes = {k: v for k, v in form.cleaned_data.items() if v != terms_initial[k]}
                    if action == "edit":
                        deal_svc.deal_update(actor=request.user, deal=deal, data=changes)
                    else:
                        deal = deal_svc.deal_revise(actor=request.user, deal=deal, changes=changes)
                else:
                    raise DomainError(_("Some values are not valid."))
            elif action == "contract":
                deal_svc.contract_create(actor=request.user, deal=deal, number=request.POST.get("number", ""))
            elif action == "contract_status":
                contract = get_object_or_404(
                    deal_sel.contract_list(access=access, deal_id=deal.pk),
                    pk=int_or_none(request.POST.get("contract")),
                )
                signed_on = forms.DateField(required=False).clean(request.POST.get("signed_on") or None)
                deal_svc.contract_set_status(
                    actor=request.user,
                    contract=contract,
                    status=request.POST.get("status", ""),
                    signed_on=signed_on,
                )
            else:
                raise Http404
            messages.success(request, _("Saved."))
            return redirect("deal-detail", pk=deal.pk)
        except forms.ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except DomainError as exc:
            _refused(request, exc)
            if form is not None:
                form.add_domain_error(exc)
    if (
        form is None
        and deal.status in (Deal.Status.DRAFT, Deal.Status.APPROVED, Deal.Status.REJECTED)
        and can_change
    ):
        form = DealTermsForm(initial=terms_initial)
        _control(form)
    return render(
        request,
        "sourcing/pipeline/deal_detail.html",
        {
            "deal": deal,
            "contracts": deal.contracts.order_by("id"),
            "form": form,
            "can_change": can_change,
            "can_approve": can_approve,
            "contract_statuses": Contract.Status.choices,
            "today": timezone.localdate(),
            "versions": deal_sel.deal_history(access=access, product_id=deal.product_id),
            "object_type": "sourcing.deal",
        },
    )


@serves("MC-5", feature=gettext_noop("Deal history per product"))
@capability_required("sourcing.view")
def deal_history_product(request, pk: int):
    product = _product_or_404(request, pk)
    deals = deal_sel.deal_history(access=request.access, product_id=product.pk)
    return render(
        request,
        "sourcing/pipeline/deal_history.html",
        {
            "deals": deals,
            "product": product,
            "merchant": product.merchant,
            "can_change": request.access.reaches_department("sourcing.change", product.department_id),
        },
    )


@serves("MC-5", feature=gettext_noop("Deal history per merchant"))
@capability_required("sourcing.view")
def deal_history_merchant(request, pk: int):
    deals = deal_sel.deal_history(access=request.access, merchant_id=pk)
    first = deals.first()
    if first is None:
        raise Http404
    return render(
        request,
        "sourcing/pipeline/deal_history.html",
        {"deals": deals, "product": None, "merchant": first.merchant},
    )


# Samples ledger --------------------------------------------------------------------------------


def _sample_ctx(access):
    return {
        "statuses": Sample.Status.choices,
        "can_change": access.can("sourcing.change"),
        "today": timezone.localdate(),
    }


@capability_required("sourcing.view")
def sample_list(request):
    """The ledger, with filters, and the sample cost per merchant and per product."""
    access = request.access
    status = request.GET.get("status", "")
    merchant = request.GET.get("merchant", "")
    samples = sample_sel.sample_list(
        access=access,
        status=status if status in Sample.Status.values else "",
        merchant_id=int_or_none(merchant),
    )
    return render(
        request,
        "sourcing/pipeline/sample_list.html",
        {
            **_sample_ctx(access),
            "samples": samples[:200],
            "status": status,
            "merchant": merchant,
            "by_merchant": sample_sel.sample_cost_by_merchant(access=access)[:50],
            "by_product": sample_sel.sample_cost_by_product(access=access)[:50],
            "total": sample_sel.sample_cost_total(access=access),
            "overdue_count": sample_sel.sample_overdue_list(access=access).count(),
        },
    )


@capability_required("sourcing.view")
def sample_overdue(request):
    access = request.access
    return render(
        request,
        "sourcing/pipeline/sample_overdue.html",
        {
            **_sample_ctx(access),
            "samples": sample_sel.sample_overdue_list(access=access)[:500],
        },
    )


@capability_required("sourcing.change")
def sample_create(request):
    if not (request.GET.get("product") or request.POST.get("product")):
        return _pick_product(request, title=_("Record a sample"))
    product = _product_or_404(request, request.GET.get("product") or request.POST.get("product", ""))
    form = SampleForm(
        request.POST or None, department_id=request.access.staff_department_id or product.department_id
    )
    _control(form)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "must_return"}
        try:
            sample_svc.sample_record(actor=request.user, product=product, **data)
            messages.success(request, _("Sample recorded."))
            return redirect(request.POST.get("next") or "sample-list")
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(
        request,
        "sourcing/pipeline/sample_form.html",
        {"form": form, "product": product, "next": request.GET.get("next", "")},
    )


@capability_required("sourcing.change")
@require_POST
def sample_status(request, pk: int):
    """htmx: move a sample to another status; answers with the updated row."""
    sample = sample_sel.sample_get(access=request.access, pk=pk)
    if sample is None:
        raise Http404
    try:
        sample = sample_svc.sample_set_status(
            actor=request.user,
            sample=sample,
            status=request.POST.get("status", ""),
            tracking_no=request.POST.get("tracking_no", ""),
            note=request.POST.get("note", ""),
        )
        error = ""
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except DomainError as exc:
        error = str(exc.message)
        sample.refresh_from_db()
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("sample-list")
    return render(
        request,
        "sourcing/pipeline/_sample_row.html",
        {**_sample_ctx(request.access), "s": sample, "error": error},
    )


# Selection pipeline (MR-5) ---------------------------------------------------------------------


def _filters(request) -> dict:
    merchant = request.GET.get("merchant", "")
    category = request.GET.get("category", "")
    return {
        "search": request.GET.get("q", "").strip(),
        "merchant_id": int_or_none(merchant),
        "category_id": int_or_none(category),
    }


def _board_context(request) -> dict:
    filters = _filters(request)
    return {
        "columns": pipe_sel.pipeline_board(access=request.access, **filters),
        "q": filters["search"],
        "can_change": request.access.can("sourcing.change"),
        "per_column": pipe_sel.BOARD_CARDS,
        # Card links are built from these prefixes: a few hundred reverse() calls per page add up.
        "pipeline_root": reverse("pipeline-board"),
        "sample_create_url": reverse("sample-create"),
        "meetings_url": reverse("selection-meeting-list"),
    }


@serves("MR-5", feature=gettext_noop("Selection board: candidates to approved, one column per stage"))
@capability_required("sourcing.view")
def pipeline_board(request):
    ctx = _board_context(request)
    template = (
        "sourcing/pipeline/_board.html"
        if request.htmx and request.htmx.target == "board"
        else "sourcing/pipeline/board.html"
    )
    return render(request, template, ctx)


@capability_required("sourcing.change")
@require_POST
def pipeline_move(request, pk: int):
    """htmx: move a product to another stage; answers with the re-rendered board."""
    product = _product_or_404(request, pk)
    note = request.POST.get("note", "") or request.headers.get("HX-Prompt", "")
    try:
        pipe_svc.pipeline_move(
            actor=request.user, product=product, to_stage=request.POST.get("to_stage", ""), note=note
        )
        messages.success(request, _("Moved: %(title)s.") % {"title": product.title})
    except DomainError as exc:
        _refused(request, exc)
    if not request.htmx:
        return redirect(request.POST.get("next") or "pipeline-board")
    return render(
        request, "sourcing/pipeline/_board.html", {**_board_context(request), "show_messages": True}
    )


def _days(delta) -> str:
    """A time in stage as days with one decimal ("" when the product never was in that stage)."""
    return "" if delta is None else f"{delta.total_seconds() / 86400:.1f}"


@serves("MR-5", "MC-2", feature=gettext_noop("Selection list: filters, scores and time in each stage"))
@capability_required("sourcing.view")
def pipeline_list(request):
    access = request.access
    filters = _filters(request)
    stage = request.GET.get("stage", "")
    stage = stage if stage in PipelineStage.values else ""
    products = list(
        pipe_sel.product_pipeline_list(access=access, stage=stage, **filters).order_by(
            "stage_entered_at", "id"
        )[:200]
    )
    spent = pipe_sel.time_in_stages(products)
    counts = pipe_sel.stage_counts(access=access, **filters)
    stages = list(PipelineStage)
    rows = [{"product": p, "spent": [_days(spent[p.pk].get(s.value)) for s in stages]} for p in products]
    return render(
        request,
        "sourcing/pipeline/list.html",
        {
            "rows": rows,
            "stages": stages,
            "stage": stage,
            "q": filters["search"],
            "stage_options": [(s.value, s.label, counts[s.value]) for s in stages],
            "truncated": len(products) == 200,
        },
    )


@serves("MC-4", feature=gettext_noop("Selection report per product (printable)"))
@capability_required("sourcing.view")
def selection_report(request, pk: int):
    product = _product_or_404(request, pk)
    report = pipe_sel.selection_report(product=product)
    return render(
        request,
        "sourcing/pipeline/report.html",
        {
            **report,
            "events": pipe_sel.pipeline_events(product=product),
            "now": timezone.now(),
        },
    )


# Selection meetings (MC-2) ---------------------------------------------------------------------


@serves("MC-2", "MR-5", feature=gettext_noop("Selection meetings"))
@capability_required("sourcing.view")
def selection_meeting_list(request):
    access = request.access
    if request.method == "POST":
        try:
            held_at = forms.DateTimeField().clean(request.POST.get("held_at", ""))
            meeting = pipe_svc.selection_meeting_create(
                actor=request.user, title=request.POST.get("title", ""), held_at=held_at
            )
            messages.success(request, _("Saved."))
            return redirect("selection-meeting-detail", pk=meeting.pk)
        except forms.ValidationError as exc:
            messages.error(
                request, _("Enter the date and time of the meeting.") + " " + " ".join(exc.messages)
            )
        except DomainError as exc:
            _refused(request, exc)
    return render(
        request,
        "sourcing/pipeline/meeting_list.html",
        {
            "meetings": pipe_sel.selection_meeting_list(access=access)[:100],
            "can_create": access.can("sourcing.change") or access.can("sourcing.approve"),
            "waiting": pipe_sel.stage_counts(access=access)[PipelineStage.MEETING],
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


def _score(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@serves(
    "MC-2",
    "MR-5",
    feature=gettext_noop("Selection meeting: product pool with reviewers' scores and decisions"),
)
@capability_required("sourcing.view")
def selection_meeting_detail(request, pk: int):
    access = request.access
    meeting = get_object_or_404(pipe_sel.selection_meeting_list(access=access), pk=pk)
    if request.method == "POST":
        product = _product_or_404(request, request.POST.get("product", ""))
        action = request.POST.get("action", "")
        try:
            if action == "review":
                pipe_svc.selection_review_add(
                    actor=request.user,
                    meeting=meeting,
                    product=product,
                    score_quality=_score(request.POST.get("score_quality", "")),
                    score_price=_score(request.POST.get("score_price", "")),
                    score_demand=_score(request.POST.get("score_demand", "")),
                    vote=request.POST.get("vote", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("Scores saved."))
            elif action == "decide":
                pipe_svc.selection_decide(
                    actor=request.user,
                    meeting=meeting,
                    product=product,
                    decision=request.POST.get("decision", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Decision recorded: %(title)s.") % {"title": product.title})
            else:
                raise Http404
        except DomainError as exc:
            _refused(request, exc)
            for msg in exc.fields.get("product", []):
                messages.error(request, msg)
        return redirect("selection-meeting-detail", pk=meeting.pk)
    rows = pipe_sel.selection_meeting_products(access=access, meeting=meeting)
    mine = {r.product_id: r for r in SelectionReview.objects.filter(meeting=meeting, reviewer=request.user)}
    for row in rows:
        row["mine"] = mine.get(row["product"].pk)
        row["can_decide"] = row["product"].stage == PipelineStage.MEETING and access.reaches_department(
            "sourcing.approve", row["product"].department_id
        )
        row["can_review"] = row["product"].stage == PipelineStage.MEETING and pipe_svc._may_review(
            request.user, row["product"]
        )
    return render(
        request,
        "sourcing/pipeline/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "scores": range(1, 6),
        },
    )


# History checks (the audit "history" tab) ------------------------------------------------------


def _history_check_deal(access, user, object_id: str) -> bool:
    return (pk := int_or_none(object_id)) is not None and deal_sel.deal_get(access=access, pk=pk) is not None


def _history_check_sample(access, user, object_id: str) -> bool:
    return (pk := int_or_none(object_id)) is not None and sample_sel.sample_get(
        access=access, pk=pk
    ) is not None
