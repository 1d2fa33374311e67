"""Shop dashboards (EC-1, LC-1) and the attributed sales of anchors and products (LC-4): pages over
the daily rollups only (see ``liveops.commerce.selectors.dashboards``). Charts are drawn by
``commerce/dashboards.js`` from ``json_script`` data (no inline scripts)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from liveops.commerce.models import AnchorAccount, Shop
from liveops.commerce.selectors import dashboards as sel
from liveops.commerce.selectors.shops import shop_get, shops_visible
from liveops.core.duties import serves
from liveops.core.forms import DateInput
from liveops.core.permissions import capability_required
from liveops.sourcing.selectors.products import product_get

BREAKDOWNS = sel.DIMENSIONS
SHOPS_INDEX_DAYS = 30


def _date_input():
    return DateInput(attrs={"class": "form-control form-control-sm"})


def date_field(label) -> forms.DateField:
    """An optional date between ``DATE_MIN`` and ``DATE_MAX``."""
    return forms.DateField(
        required=False,
        label=label,
        widget=_date_input(),
        validators=sel.DATE_BOUNDS,
    )


class RangeForm(forms.Form):
    """Dates of the anchor and product pages (days)."""

    date_from = date_field(gettext_lazy("From"))
    date_to = date_field(gettext_lazy("To"))

    max_days = sel.MAX_SPAN_DAYS["day"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > self.max_days:
                self.add_error("date_to", _("Choose at most %(n)d days.") % {"n": self.max_days})
        return data

    def cleaned(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}


class DashboardForm(RangeForm):
    """Choices of a dashboard: grain, range, and the period the breakdowns cover."""

    grain = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Figures by"),
        choices=[
            ("day", gettext_lazy("Day")),
            ("week", gettext_lazy("Week")),
            ("month", gettext_lazy("Month")),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    period = forms.CharField(required=False, max_length=10, label=gettext_lazy("Breakdown period"))

    def clean_period(self):
        value = (self.cleaned_data.get("period") or "").strip()
        if not value or value == sel.PERIOD_ALL:
            return value or None
        return date_field("").clean(value)

    def clean(self):
        grain = (self.data.get("grain") or "day") if self.is_bound else "day"
        self.max_days = sel.MAX_SPAN_DAYS.get(grain, sel.MAX_SPAN_DAYS["day"])
        return super().clean()

    def dashboard_range(self) -> sel.DashboardRange:
        data = self.cleaned()
        return sel.dashboard_range(
            grain=data.get("grain") or "day",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            period=data.get("period"),
            today=timezone.localdate(),
        )


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else round(fen / 100, 2)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _period_label(start: dt.date, grain: str) -> str:
    if grain == "month":
        return start.strftime("%Y-%m")
    if grain == "week":
        return _("Week of %(day)s") % {"day": start.isoformat()}
    return start.isoformat()


def series_chart(series: list[dict], grain: str) -> dict:
    """The trend chart data of a figures series (yuan and percentages, period labels)."""
    return {
        "periods": [_period_label(r["period"], grain) for r in series],
        "gmv": [_yuan(r["gmv_fen"]) for r in series],
        "orders": [r["orders_paid"] for r in series],
        "buyers": [r["buyers"] for r in series],
        "aov": [_yuan(r["aov_fen"]) for r in series],
        "refund_rate": [_pct(r["refund_rate"]) for r in series],
        "conversion": [_pct(r["conversion"]) for r in series],
        "labels": {
            "gmv": _("GMV (CNY)"),
            "orders": _("Paid orders"),
            "buyers": _("Buyers"),
            "aov": _("Average order value (CNY)"),
            "refund_rate": _("Refund rate (%)"),
            "conversion": _("Payment conversion (%)"),
        },
    }


def days_chart(by_day: list[dict]) -> dict:
    return {
        "periods": [r["day"].isoformat() for r in by_day],
        "gmv": [_yuan(r["gmv_fen"]) for r in by_day],
        "orders": [r["orders_paid"] for r in by_day],
        "units": [r["units"] for r in by_day],
        "labels": {"gmv": _("GMV (CNY)"), "orders": _("Paid orders"), "units": _("Units sold")},
    }


def _hours_chart(hours: dict) -> dict:
    return {
        "hours": [r["key"] for r in hours["rows"]],
        "gmv": [_yuan(r["gmv_fen"]) for r in hours["rows"]],
        "orders": [r["orders_paid"] for r in hours["rows"]],
        "labels": {"gmv": _("GMV (CNY)"), "orders": _("Paid orders")},
    }


def _dashboard_figures(shops: list[Shop], rng: sel.DashboardRange, *, totals: bool) -> dict:
    """Series, breakdowns and per-shop totals of a dashboard, from the rollups, cached until the rollups
    of one of the shops are recomputed (``sel.figures_cached``)."""
    key = sel.figures_cache_key(sel.rollups_stamp(shops), "dashboard", rng, totals)

    def compute() -> dict:
        ids = [s.pk for s in shops]
        series = sel.figures_series(shop_ids=ids, start=rng.start, end=rng.end, grain=rng.grain)
        focused = sel.focus_default(rng, series)
        return {
            "rng": focused,
            "series": series,
            "breakdowns": sel.breakdowns(
                shop_ids=ids, start=focused.focus_start, end=focused.focus_end, dimensions=BREAKDOWNS
            ),
            "totals": sel.shop_totals(shop_ids=ids, start=focused.focus_start, end=focused.focus_end)
            if totals
            else None,
        }

    return sel.figures_cached(key, compute) | {"key": key}


def _dashboard(request, *, shops: list[Shop], shop: Shop | None):
    form = DashboardForm(request.GET or None)
    figures = _dashboard_figures(shops, form.dashboard_range(), totals=shop is None)
    rng, series, breakdowns = figures["rng"], figures["series"], figures["breakdowns"]
    focus = [r for r in series if rng.focus_start <= r["period"] <= rng.focus_end]
    chart = series_chart(series, rng.grain)
    chart["hour"] = _hours_chart(breakdowns["hour"])
    query = request.GET.copy()
    query.pop("period", None)
    ctx = {
        "form": form,
        "shop": shop,
        "shops": shops,
        "rng": rng,
        "series": series,
        "total": sel.figures_total(series),
        "focus_total": sel.figures_total(focus),
        "breakdowns": breakdowns,
        "chart_data": chart,
        "freshness": sel.freshness(shops),
        "time_basis": sel.TIME_BASIS,
        "buyers_unknown": any(r["buyers"] is None for r in series),
        "buyers_unknown_reason": sel.BUYERS_UNKNOWN_REASON,
        "query_without_period": query.urlencode(),
        "per_shop": None,
        # The page caches its rendered figures under the same key (and the query string).
        "figures_key": figures["key"],
        "cache_seconds": sel.FIGURES_CACHE_SECONDS,
    }
    if shop is None:
        ctx["per_shop"] = [(s, figures["totals"].get(s.pk)) for s in shops]
    return render(request, "commerce/dashboards/dashboard.html", ctx)


@serves("EC-1", "LC-1", feature=gettext_noop("Shops with their GMV of the last 30 days and data freshness"))
@capability_required("commerce.view")
def shop_list(request):
    shops = list(shops_visible(access=request.access))
    today = timezone.localdate()
    start = today - dt.timedelta(days=SHOPS_INDEX_DAYS - 1)
    totals = sel.shop_totals(shop_ids=[s.pk for s in shops], start=start, end=today)
    rows = [{"shop": f["shop"], "fresh": f, "total": totals.get(f["shop"].pk)} for f in sel.freshness(shops)]
    return render(
        request,
        "commerce/dashboards/shop_list.html",
        {"rows": rows, "start": start, "end": today, "time_basis": sel.TIME_BASIS},
    )


@serves(
    "EC-1",
    "LC-1",
    feature=gettext_noop(
        "Company dashboard across the visible shops: GMV, orders, buyers, AOV, refund rate, conversion"
    ),
)
@capability_required("commerce.view")
def company_dashboard(request):
    return _dashboard(request, shops=list(shops_visible(access=request.access)), shop=None)


@serves(
    "EC-1",
    feature=gettext_noop(
        "Shop dashboard by day, week and month, with breakdowns by hour, province, source, anchor, product"
    ),
)
@capability_required("commerce.view")
def shop_dashboard(request, pk: int):
    shop = shop_get(access=request.access, pk=pk)
    if shop is None:
        raise Http404
    return _dashboard(request, shops=[shop], shop=shop)


def _range(request) -> tuple[RangeForm, dt.date, dt.date]:
    form = RangeForm(request.GET or None)
    rng = sel.dashboard_range(
        grain="day",
        date_from=form.cleaned().get("date_from"),
        date_to=form.cleaned().get("date_to"),
        today=timezone.localdate(),
    )
    return form, rng.start, rng.end


@serves("LC-4", "EC-1", feature=gettext_noop("Anchors ranked by attributed GMV"))
@capability_required("commerce.view")
def anchor_list(request):
    form, start, end = _range(request)
    ids = list(shops_visible(access=request.access).values_list("pk", flat=True))
    search = request.GET.get("q", "")[:60]
    data = sel.anchor_ranking(shop_ids=ids, start=start, end=end, search=search)
    query = request.GET.copy()
    query.pop("q", None)
    return render(
        request,
        "commerce/dashboards/anchor_list.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "q": search,
            "data": data,
            "date_query": query.urlencode(),
            "time_basis": sel.TIME_BASIS,
        },
    )


@serves("LC-4", "EC-1", feature=gettext_noop("An anchor's attributed sales: by day, by shop, top products"))
@capability_required("commerce.view")
def anchor_detail(request, pk: int):
    anchor = get_object_or_404(AnchorAccount.objects.select_related("staff"), pk=pk)
    form, start, end = _range(request)
    shops = list(shops_visible(access=request.access))
    ids = [s.pk for s in shops]
    sales = sel.key_sales(dimension="anchor", key=str(anchor.pk), shop_ids=ids, start=start, end=end)
    products = sel.pair_breakdown(
        dimension=sel.ANCHOR_PRODUCT, first_id=anchor.pk, shop_ids=ids, start=start, end=end
    )
    return render(
        request,
        "commerce/dashboards/anchor_detail.html",
        {
            "anchor": anchor,
            "form": form,
            "start": start,
            "end": end,
            "sales": sales,
            "products": products,
            "chart_data": days_chart(sales["by_day"]),
            "freshness": sel.freshness(shops),
            "date_query": request.GET.urlencode(),
            "time_basis": sel.TIME_BASIS,
        },
    )


@serves("LC-4", "EC-5", feature=gettext_noop("A product's attributed sales: by day, by shop, by anchor"))
@capability_required("commerce.view")
def product_sales(request, pk: int):
    product = sel.product_for_sales(access=request.access, pk=pk)
    if product is None:
        raise Http404
    form, start, end = _range(request)
    shops = list(shops_visible(access=request.access))
    ids = [s.pk for s in shops]
    sales = sel.key_sales(dimension="product", key=str(product.pk), shop_ids=ids, start=start, end=end)
    anchors = sel.pair_breakdown(
        dimension=sel.PRODUCT_ANCHOR, first_id=product.pk, shop_ids=ids, start=start, end=end
    )
    library_visible = request.access.can("sourcing.view") and (
        product_get(access=request.access, pk=product.pk) is not None
    )
    return render(
        request,
        "commerce/dashboards/product_sales.html",
        {
            "product": product,
            "library_visible": library_visible,
            "form": form,
            "start": start,
            "end": end,
            "sales": sales,
            "anchors": anchors,
            "chart_data": days_chart(sales["by_day"]),
            "freshness": sel.freshness(shops),
            "date_query": request.GET.urlencode(),
            "time_basis": sel.TIME_BASIS,
        },
    )
