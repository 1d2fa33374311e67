"""Market intelligence page (LC-2, MC-3): competitor price history, sales velocity, brand share and
price moves around promotion days, drawn with ECharts from ``json_script`` data (``market.js``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from liveops.core.duties import serves
from liveops.core.forms import DateInput
from liveops.core.permissions import capability_required
from liveops.sourcing.selectors import market as selectors

MAX_SPAN_DAYS = 366


class MarketFilterForm(forms.Form):
    """Filters of the page and the summary API (GET parameters). Shops are any of the platform's shops."""

    platform = forms.SlugField(required=False, max_length=20, label=gettext_lazy("Platform"))
    date_from = forms.DateField(required=False, label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(required=False, label=gettext_lazy("To"), widget=DateInput())
    shops = forms.MultipleChoiceField(required=False, label=gettext_lazy("Shops"))
    promo_day = forms.DateField(required=False, label=gettext_lazy("Promotion day"), widget=DateInput())
    pre_days = forms.IntegerField(
        required=False, min_value=1, max_value=60, label=gettext_lazy("Days before")
    )
    listing = forms.CharField(required=False, max_length=40, label=gettext_lazy("Listing ID"))

    def __init__(self, *args, shops: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shops"].choices = [(s, s) for s in shops]
        self.fields["shops"].widget.attrs["size"] = min(max(len(shops), 4), 12)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error("date_to", _("Choose at most one year."))
        return data

    def filters(self) -> selectors.MarketFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return selectors.MarketFilters(
            platform=(data.get("platform") or "tmall").lower(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            shops=list(data.get("shops") or []),
            promo_day=data.get("promo_day"),
            pre_days=data.get("pre_days") or selectors.DEFAULT_PRE_DAYS,
            listing_id=(data.get("listing") or "").strip(),
        )


def market_filter_form(request) -> MarketFilterForm:
    """The bound filter form of a request, with the shops of the chosen platform as choices."""
    platform = (request.GET.get("platform") or "tmall").strip().lower()[:20]
    bounds = selectors.market_bounds(access=request.access, platform=platform)
    return MarketFilterForm(request.GET or None, shops=bounds["shops"])


def _chart_data(summary: dict) -> dict:
    """The part of the summary the charts draw, with dates as ISO strings."""

    def iso(d):
        return d.isoformat() if isinstance(d, dt.date) else d

    promo = summary["promotion"] or {}
    listing = summary["listing"]
    return {
        "days": [iso(d) for d in summary["days"]],
        "price_history": summary["price_history"],
        "velocity": summary["velocity"],
        "share": summary["share"],
        "promotion": [
            {"shop": r["shop"], "change_pct": r["change_pct"], "like_for_like_pct": r["like_for_like_pct"]}
            for r in promo.get("rows", [])
        ],
        "listing": None
        if listing is None
        else {
            "days": [iso(d) for d in listing["days"]],
            "price": listing["price"],
            "sales": listing["sales"],
        },
        "labels": {
            "price": _("Average price (CNY)"),
            "velocity": _("Sales added"),
            "share": _("Share of sales increase"),
            "change": _("Price change on the promotion day (%)"),
            "like_for_like": _("Same listings (%)"),
            "listing_price": _("Price (CNY)"),
            "listing_sales": _("Cumulative sales"),
        },
    }


@serves(
    "LC-2",
    "MC-3",
    feature=gettext_noop(
        "Market intelligence: competitor prices, sales velocity, brand share, promotion price moves"
    ),
)
@capability_required("sourcing.view")
def market_dashboard(request):
    """Charts and tables over the competitor snapshots, filtered by dates and shops."""
    form = market_filter_form(request)
    summary = selectors.market_summary(access=request.access, filters=form.filters())
    return render(
        request,
        "sourcing/market/dashboard.html",
        {
            "form": form,
            "summary": summary,
            "chart_data": _chart_data(summary),
            "max_rows": selectors.MAX_ROWS,
        },
    )
