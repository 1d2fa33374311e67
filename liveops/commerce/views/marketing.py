"""Pages of the marketing side of e-commerce operations: the activity calendar and campaigns (EC-2,
EC-3), budgets, ad spend and ROI (LC-3), KPIs (EC-4), product lifecycle (EC-5) and the product
performance table that feeds the next session's line-up (LC-4).

Thin: selectors read (scoped), services write (and check the capability again). Every page needs
``commerce.view``; writing needs ``commerce.change`` (campaigns, ad spend, measurements),
``commerce.import`` (ad-spend files) or ``commerce.manage`` (budgets, KPI definitions and targets).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from liveops.commerce.forms_marketing import (
    AdSpendForm,
    AdSpendImportForm,
    BudgetEditForm,
    BudgetForm,
    CampaignForm,
    KpiForm,
    KpiMeasurementForm,
    KpiTargetForm,
    PeriodForm,
)
from liveops.commerce.models import Budget, Campaign, ProductLifecycle
from liveops.commerce.models.marketing import AdChannel
from liveops.commerce.selectors import marketing as selectors
from liveops.commerce.selectors.shops import shops_visible
from liveops.commerce.services import kpis as kpi_services
from liveops.commerce.services import marketing as services
from liveops.commerce.services.lifecycle import lifecycle_recompute
from liveops.core.audit import audit_log
from liveops.core.duties import serves
from liveops.core.errors import NotAllowed
from liveops.core.exports import csv_response
from liveops.core.forms import form_service_call, int_or_none
from liveops.core.models import AuditAction
from liveops.core.permissions import capability_required

LIST_LIMIT = 300
LINEUP_LABELS = {
    "keep": gettext_noop("Keep in the line-up"),
    "push": gettext_noop("Give it a better slot"),
    "test": gettext_noop("Keep testing"),
    "rotate": gettext_noop("Rotate in now and then"),
    "clear": gettext_noop("Clear out (flash sale, bundle)"),
}


def _require(access, capability: str) -> None:
    if not access.can(capability):
        raise PermissionDenied


def _today() -> dt.date:
    return timezone.localdate()


# Campaigns and the calendar (EC-2, EC-3) ----------------------------------------------------------


@serves("EC-3", feature=gettext_noop("Marketing calendar: campaigns by month and year"))
@capability_required("commerce.view")
def campaign_calendar(request):
    """The activity calendar: a month grid (htmx swaps months) or the year's campaigns by month."""
    today = _today()
    year = int_or_none(request.GET.get("year")) or today.year
    year = min(max(year, 2000), 2100)
    view = "year" if request.GET.get("view") == "year" else "month"
    context = {"view": view, "today": today, "can_change": request.access.can("commerce.change")}
    if view == "year":
        context["cal"] = selectors.calendar_year(access=request.access, year=year)
    else:
        month = int_or_none(request.GET.get("month")) or today.month
        month = min(max(month, 1), 12)
        context["cal"] = selectors.calendar_month(access=request.access, year=year, month=month, today=today)
    overspent = selectors.budgets_overspent(access=request.access)
    context["overspent_campaigns"] = {s.budget.campaign_id for s in overspent if s.budget.campaign_id}
    template = "commerce/marketing/calendar.html"
    if getattr(request, "htmx", False) and request.GET.get("partial"):
        template = "commerce/marketing/_calendar.html"
    return render(request, template, context)


@serves("EC-2", feature=gettext_noop("Campaign plans with goals, shops and linked products"))
@capability_required("commerce.view")
def campaign_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.campaign_list(
        access=request.access,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        status=status if status in Campaign.Status.values else "",
        kind=kind if kind in Campaign.Kind.values else "",
    ).prefetch_related("shops")
    campaigns = list(qs[: LIST_LIMIT + 1])
    return render(
        request,
        "commerce/marketing/campaign_list.html",
        {
            "campaigns": campaigns[:LIST_LIMIT],
            "truncated": len(campaigns) > LIST_LIMIT,
            "statuses": Campaign.Status.choices,
            "kinds": Campaign.Kind.choices,
            "status": status,
            "kind": kind,
            "form": form,
            "can_change": request.access.can("commerce.change"),
        },
    )


@serves("EC-2", "EC-3", feature=gettext_noop("Plan a campaign on the marketing calendar"))
@capability_required("commerce.change")
def campaign_create(request):
    initial = {"status": Campaign.Status.PLANNED, "kind": Campaign.Kind.OTHER}
    if request.GET.get("day"):
        try:
            day = dt.date.fromisoformat(request.GET["day"])
            initial.update(starts_on=day, ends_on=day)
        except ValueError:
            pass
    form = CampaignForm(request.POST or None, access=request.access, initial=initial)
    if request.method == "POST" and form.is_valid():
        campaign = form_service_call(
            form, lambda: services.campaign_create(actor=request.user, **form.service_kwargs())
        )
        if campaign:
            messages.success(request, _("Campaign saved."))
            return redirect("commerce-campaign", pk=campaign.pk)
    return render(request, "commerce/marketing/campaign_form.html", {"form": form, "campaign": None})


def _campaign_or_404(request, pk: int) -> Campaign:
    campaign = selectors.campaign_get(access=request.access, pk=pk)
    if campaign is None:
        raise Http404
    return campaign


@serves("EC-2", "EC-3", "LC-3", feature=gettext_noop("Campaign goal against attributed GMV, spend and ROI"))
@capability_required("commerce.view")
def campaign_detail(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    perf = selectors.campaign_performance(access=request.access, campaign=campaign, today=_today())
    products = list(campaign.products.all().order_by("title"))
    product_rows = [
        {"product": p, **perf["per_product"].get(p.pk, {"gmv_fen": 0, "units": 0, "lines": 0})}
        for p in products
    ]
    product_rows.sort(key=lambda r: (-r["gmv_fen"], r["product"].pk))
    budgets = selectors.budget_list(access=request.access, campaign_id=campaign.pk)
    chart = {
        "periods": [d["day"].isoformat() for d in perf["daily"]],
        "series": [
            {"name": _("Attributed GMV (CNY)"), "data": [d["gmv_fen"] / 100 for d in perf["daily"]]},
            {"name": _("Ad spend (CNY)"), "data": [d["spend_fen"] / 100 for d in perf["daily"]]},
        ],
    }
    return render(
        request,
        "commerce/marketing/campaign_detail.html",
        {
            "campaign": campaign,
            "perf": perf,
            "shops": list(campaign.shops.all()),
            "product_rows": product_rows,
            "budgets": budgets,
            "spend_rows": list(
                selectors.ad_spend_list(access=request.access, campaign_id=campaign.pk)[:LIST_LIMIT]
            ),
            "chart": chart,
            "can_change": request.access.reaches_department("commerce.change", campaign.department_id),
            "can_manage": request.access.reaches_department("commerce.manage", campaign.department_id),
        },
    )


@serves("EC-2", feature=gettext_noop("Edit a campaign plan"))
@capability_required("commerce.change")
def campaign_edit(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    if not request.access.reaches_department("commerce.change", campaign.department_id):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, access=request.access, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        updated = form_service_call(
            form,
            lambda: services.campaign_update(
                actor=request.user, campaign=campaign, data=form.service_kwargs()
            ),
        )
        if updated:
            messages.success(request, _("Campaign saved."))
            return redirect("commerce-campaign", pk=campaign.pk)
    return render(request, "commerce/marketing/campaign_form.html", {"form": form, "campaign": campaign})


# Budgets, ad spend and ROI (LC-3) -----------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@serves(
    "LC-3", "EC-3", feature=gettext_noop("Budgets with spend and overspend alerts; ROI per shop and channel")
)
@capability_required("commerce.view")
def budgets(request):
    access = request.access
    can_manage = access.can("commerce.manage")
    form = BudgetForm(
        request.POST or None, access=access, initial={"campaign": int_or_none(request.GET.get("campaign"))}
    )
    if request.method == "POST":
        _require(access, "commerce.manage")
        if form.is_valid():
            d = form.cleaned_data
            budget = form_service_call(
                form,
                lambda: services.budget_create(
                    actor=request.user,
                    amount_fen=d["amount"],
                    period_start=d.get("period_start"),
                    period_end=d.get("period_end"),
                    campaign=d.get("campaign"),
                    shop=d.get("shop"),
                    channel=d.get("channel") or "",
                    note=d.get("note") or "",
                ),
            )
            if budget:
                messages.success(request, _("Budget set."))
                return redirect("commerce-budgets")
    today = _today()
    period = PeriodForm(request.GET or None)
    date_from, date_to = period.period(_month_start(today), today)
    rows = selectors.budget_list(access=access)
    return render(
        request,
        "commerce/marketing/budgets.html",
        {
            "rows": rows,
            "overspent": [r for r in rows if r.overspent],
            "form": form if can_manage else None,
            "can_manage": can_manage,
            "date_from": date_from,
            "date_to": date_to,
            "roi_rows": selectors.roi_by_shop(access=access, date_from=date_from, date_to=date_to),
            "channel_rows": selectors.spend_by_channel(access=access, date_from=date_from, date_to=date_to),
        },
    )


def _budget_or_404(request, pk: int) -> Budget:
    budget = selectors.budget_queryset(access=request.access).filter(pk=pk).first()
    if budget is None:
        raise Http404
    return budget


@serves("LC-3", feature=gettext_noop("Change or remove a budget (managers)"))
@capability_required("commerce.manage")
def budget_edit(request, pk: int):
    budget = _budget_or_404(request, pk)
    if not request.access.reaches_department("commerce.manage", budget.department_id):
        raise PermissionDenied
    form = BudgetEditForm(
        request.POST or None,
        initial={
            "amount": budget.amount_fen / 100,
            "period_start": budget.period_start,
            "period_end": budget.period_end,
            "note": budget.note,
        },
    )
    if request.method == "POST":
        if request.POST.get("delete"):
            form_service_call(form, lambda: services.budget_delete(actor=request.user, budget=budget))
            messages.success(request, _("Budget removed."))
            return redirect("commerce-budgets")
        if form.is_valid():
            d = form.cleaned_data
            done = form_service_call(
                form,
                lambda: services.budget_update(
                    actor=request.user,
                    budget=budget,
                    data={
                        "amount_fen": d["amount"],
                        "period_start": d["period_start"],
                        "period_end": d["period_end"],
                        "note": d.get("note") or "",
                    },
                ),
            )
            if done:
                messages.success(request, _("Budget saved."))
                return redirect("commerce-budgets")
    status = selectors.BudgetStatus(budget=budget, spend_fen=selectors.budget_spend([budget])[budget.pk])
    return render(request, "commerce/marketing/budget_form.html", {"form": form, "status": status})


@serves("LC-3", feature=gettext_noop("Ad spend records (千川, 直通车…): entry, import and list"))
@capability_required("commerce.view")
def ad_spend(request):
    access = request.access
    can_change = access.can("commerce.change")
    can_import = access.can("commerce.import")
    entry = AdSpendForm(request.POST if request.POST.get("form") == "entry" else None, access=access)
    upload = AdSpendImportForm(
        request.POST if request.POST.get("form") == "import" else None,
        request.FILES if request.POST.get("form") == "import" else None,
        access=access,
    )
    if request.method == "POST":
        if request.POST.get("form") == "import":
            _require(access, "commerce.import")
            if upload.is_valid():
                run = form_service_call(
                    upload,
                    lambda: services.ad_spend_import(
                        actor=request.user,
                        file=upload.cleaned_data["file"],
                        file_name=upload.cleaned_data["file"].name,
                        options=upload.options(),
                    ),
                )
                if run:
                    return redirect("job-detail", pk=run.pk)
        else:
            _require(access, "commerce.change")
            if entry.is_valid():
                d = entry.cleaned_data
                result = form_service_call(
                    entry,
                    lambda: services.ad_spend_record(
                        actor=request.user,
                        shop=d["shop"],
                        channel=d["channel"],
                        day=d["day"],
                        plan_id=d.get("plan_id") or "",
                        plan_name=d.get("plan_name") or "",
                        spend_fen=d["spend"],
                        impressions=d.get("impressions") or 0,
                        clicks=d.get("clicks") or 0,
                        platform_gmv_fen=d.get("platform_gmv") or 0,
                        **({"campaign": d["campaign"]} if d.get("campaign") else {}),
                    ),
                )
                if result:
                    messages.success(request, _("Ad spend recorded."))
                    return redirect("commerce-ad-spend")
    period = PeriodForm(request.GET or None)
    today = _today()
    date_from, date_to = period.period(today - dt.timedelta(days=30), today)
    channel = request.GET.get("channel", "")
    shop_id = int_or_none(request.GET.get("shop"))
    rows = list(
        selectors.ad_spend_list(
            access=access,
            shop_id=shop_id,
            channel=channel if channel in AdChannel.values else "",
            date_from=date_from,
            date_to=date_to,
        )[: LIST_LIMIT + 1]
    )
    return render(
        request,
        "commerce/marketing/ad_spend.html",
        {
            "rows": rows[:LIST_LIMIT],
            "truncated": len(rows) > LIST_LIMIT,
            "entry": entry if can_change else None,
            "upload": upload if can_import else None,
            "date_from": date_from,
            "date_to": date_to,
            "channels": AdChannel.choices,
            "channel": channel,
            "shops": shops_visible(access=access).order_by("platform", "name"),
            "shop_id": shop_id,
            "total_fen": sum(r.spend_fen for r in rows[:LIST_LIMIT]),
        },
    )


@serves("LC-3", feature=gettext_noop("Remove a wrongly recorded ad spend row"))
@capability_required("commerce.change")
@require_POST
def ad_spend_delete(request, pk: int):
    row = selectors.ad_spend_list(access=request.access).filter(pk=pk).first()
    if row is None:
        raise Http404
    try:
        services.ad_spend_delete(actor=request.user, spend=row)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    messages.success(request, _("Ad spend removed."))
    return redirect("commerce-ad-spend")


# KPIs (EC-4) --------------------------------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


@serves("EC-4", feature=gettext_noop("KPI tracking: actual against target with progress, per shop"))
@capability_required("commerce.view")
def kpis(request):
    today = _today()
    period = PeriodForm(request.GET or None)
    date_from, date_to = period.period(_month_start(today), _month_end(today))
    shop_id = int_or_none(request.GET.get("shop"))
    rows = selectors.kpi_tracking(
        access=request.access, date_from=date_from, date_to=date_to, shop_id=shop_id, today=today
    )
    return render(
        request,
        "commerce/marketing/kpis.html",
        {
            "rows": rows,
            "date_from": date_from,
            "date_to": date_to,
            "shops": shops_visible(access=request.access).order_by("platform", "name"),
            "shop_id": shop_id,
            "definitions": selectors.kpi_list(access=request.access),
            "can_manage": request.access.can("commerce.manage"),
            "can_change": request.access.can("commerce.change"),
        },
    )


@serves("EC-4", feature=gettext_noop("KPI definitions and targets (managers)"))
@capability_required("commerce.view")
def kpi_setup(request):
    access = request.access
    can_manage = access.can("commerce.manage")
    which = request.POST.get("form")
    kpi_form = KpiForm(request.POST if which == "kpi" else None, initial={"higher_is_better": True})
    target_form = KpiTargetForm(
        request.POST if which == "target" else None,
        access=access,
        initial={"period_start": _month_start(_today()), "period_end": _month_end(_today())},
    )
    if request.method == "POST":
        _require(access, "commerce.manage")
        if which == "kpi" and kpi_form.is_valid():
            d = kpi_form.cleaned_data
            kpi = form_service_call(
                kpi_form,
                lambda: kpi_services.kpi_create(
                    actor=request.user,
                    code=d["code"],
                    name=d["name"],
                    unit=d.get("unit") or "",
                    metric=d.get("metric") or "",
                    higher_is_better=d.get("higher_is_better", False),
                    description=d.get("description") or "",
                ),
            )
            if kpi:
                messages.success(request, _("KPI defined."))
                return redirect("commerce-kpi-setup")
        elif which == "target" and target_form.is_valid():
            d = target_form.cleaned_data
            result = form_service_call(
                target_form,
                lambda: kpi_services.kpi_target_set(
                    actor=request.user,
                    kpi=d["kpi"],
                    shop=d.get("shop"),
                    period_start=d["period_start"],
                    period_end=d["period_end"],
                    target=target_form.target_value(),
                ),
            )
            if result:
                messages.success(request, _("Target set."))
                return redirect("commerce-kpi-setup")
        elif which == "toggle":
            kpi = selectors.kpi_list(access=access).filter(pk=int_or_none(request.POST.get("kpi"))).first()
            if kpi is None:
                raise Http404
            try:
                kpi_services.kpi_update(actor=request.user, kpi=kpi, data={"is_active": not kpi.is_active})
            except NotAllowed as exc:
                raise PermissionDenied from exc
            return redirect("commerce-kpi-setup")
    targets = list(selectors.kpi_target_list(access=access)[:LIST_LIMIT])
    for t in targets:
        t.display = selectors.kpi_display(t.kpi, t.target)
    return render(
        request,
        "commerce/marketing/kpi_setup.html",
        {
            "definitions": selectors.kpi_list(access=access),
            "targets": targets,
            "kpi_form": kpi_form if can_manage else None,
            "target_form": target_form if can_manage else None,
        },
    )


@serves("EC-4", feature=gettext_noop("Record measured KPIs (visitors, page CTR, member sign-ups…)"))
@capability_required("commerce.view")
def kpi_measurements(request):
    access = request.access
    can_change = access.can("commerce.change")
    form = KpiMeasurementForm(
        request.POST or None, access=access, initial={"day": _today() - dt.timedelta(days=1)}
    )
    if request.method == "POST":
        _require(access, "commerce.change")
        if form.is_valid():
            d = form.cleaned_data
            result = form_service_call(
                form,
                lambda: kpi_services.kpi_measurement_record(
                    actor=request.user,
                    kpi=d["kpi"],
                    shop=d["shop"],
                    day=d["day"],
                    value=form.measured_value(),
                ),
            )
            if result:
                messages.success(request, _("Value recorded."))
                return redirect("commerce-kpi-measurements")
    rows = list(selectors.kpi_measurement_list(access=access)[:LIST_LIMIT])
    for m in rows:
        m.display = selectors.kpi_display(m.kpi, m.value)
    return render(
        request,
        "commerce/marketing/kpi_measurements.html",
        {"rows": rows, "form": form if can_change else None},
    )


# Lifecycle (EC-5) and product performance (LC-4) --------------------------------------------------


@serves("EC-5", feature=gettext_noop("Product lifecycle tags (new, rising, hit, long tail, clearance)"))
@capability_required("commerce.view")
def lifecycle(request):
    access = request.access
    if request.method == "POST":
        _require(access, "commerce.change")
        counts = lifecycle_recompute(as_of=_today())
        audit_log(
            actor=request.user,
            action=AuditAction.ACTION,
            verb="lifecycle_recompute",
            object_type_label="commerce.productlifecycle",
            object_repr=_("Product lifecycle tags"),
            changes={"as_of": _today().isoformat(), "counts": counts},
        )
        messages.success(request, _("Lifecycle tags recomputed."))
        return redirect(request.get_full_path())
    tag = request.GET.get("tag", "")
    tag = tag if tag in ProductLifecycle.Tag.values else ""
    rows = list(selectors.lifecycle_list(access=access, tag=tag)[: LIST_LIMIT + 1])
    counts = selectors.lifecycle_counts(access=access)
    return render(
        request,
        "commerce/marketing/lifecycle.html",
        {
            "rows": rows[:LIST_LIMIT],
            "truncated": len(rows) > LIST_LIMIT,
            "tags": [(v, label, counts.get(v, 0)) for v, label in ProductLifecycle.Tag.choices],
            "tag": tag,
            "can_recompute": access.can("commerce.change"),
            "computed_at": rows[0].computed_at if rows else None,
        },
    )


@serves("LC-4", feature=gettext_noop("Product performance table for the next session's line-up, with CSV"))
@capability_required("commerce.view")
def product_performance(request):
    access = request.access
    today = _today()
    period = PeriodForm(request.GET or None)
    date_from, date_to = period.period(today - dt.timedelta(days=27), today)
    shop_id = int_or_none(request.GET.get("shop"))
    sort = request.GET.get("sort", "-gmv")
    if sort.lstrip("-") not in selectors.PERFORMANCE_SORTS:
        sort = "-gmv"
    tag = request.GET.get("tag", "")
    tag = tag if tag in ProductLifecycle.Tag.values else ""
    exporting = request.GET.get("export") == "csv"
    if exporting:
        _require(access, "commerce.export")
    rows = selectors.product_performance(
        access=access,
        date_from=date_from,
        date_to=date_to,
        shop_id=shop_id,
        sort=sort,
        tag=tag,
        limit=None if exporting else LIST_LIMIT,
    )
    for r in rows:
        r["lineup_label"] = _(LINEUP_LABELS[r["lineup"]]) if r["lineup"] else ""
    if exporting:
        audit_log(
            actor=request.user,
            action=AuditAction.ACTION,
            verb="export",
            object_type_label="commerce.product_performance",
            object_repr=f"product performance export ({len(rows)})",
            changes={"format": "csv", "filters": dict(request.GET.items())},
        )
        return csv_response(
            filename=f"product-performance-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
            header=[
                _("Product ID"),
                _("Product"),
                _("Merchant"),
                _("GMV (CNY)"),
                _("Units sold"),
                _("Paid orders"),
                _("Paid lines"),
                _("Refunded lines"),
                _("Refunded (CNY)"),
                _("Refund rate (%)"),
                _("Lifecycle"),
                _("Line-up"),
            ],
            rows=(
                [
                    r["product_id"] or "",
                    r["title"] or _("Lines not matched to a product"),
                    r["merchant"],
                    str(selectors.fen_to_cny(r["gmv_fen"])),
                    r["units"],
                    r["orders_paid"],
                    r["lines_paid"],
                    r["refund_lines"],
                    str(selectors.fen_to_cny(r["refund_fen"])),
                    "" if r["refund_rate"] is None else str(r["refund_rate"]),
                    r["tag_label"],
                    r["lineup_label"],
                ]
                for r in rows
            ),
        )
    return render(
        request,
        "commerce/marketing/product_performance.html",
        {
            "rows": rows,
            "date_from": date_from,
            "date_to": date_to,
            "shops": shops_visible(access=access).order_by("platform", "name"),
            "shop_id": shop_id,
            "sort": sort,
            "tag": tag,
            "tags": ProductLifecycle.Tag.choices,
            "can_export": access.can("commerce.export"),
            "limit": LIST_LIMIT,
        },
    )
