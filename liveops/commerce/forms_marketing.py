"""Forms of the marketing pages (campaigns, budgets, ad spend, KPIs). They only read input: amounts
are typed in CNY and handed to the services as whole fen; the services decide and write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liveops.commerce.models import Campaign, Kpi, Shop
from liveops.commerce.models.marketing import AdChannel
from liveops.commerce.selectors.marketing import campaign_list
from liveops.commerce.selectors.shops import shops_visible
from liveops.core.access import Access
from liveops.core.forms import DateInput, StyledForm, int_or_none

MAX_CNY = Decimal("9999999999999.99")


class MarketingForm(StyledForm):
    """The marketing forms: services name amounts ``*_fen`` where the forms take CNY without the suffix."""

    def domain_error_field(self, name: str) -> str | None:
        base = name.removesuffix("_fen")
        return base if base in self.fields else super().domain_error_field(name)


class CnyField(forms.DecimalField):
    """An amount typed in CNY (at most two decimals, at least 0); ``cleaned_data`` holds whole fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", MAX_CNY)
        super().__init__(max_digits=15, decimal_places=2, **kwargs)
        self.widget.attrs.setdefault("step", "0.01")

    def clean(self, value):
        cny = super().clean(value)
        if cny is None:
            return None
        return int((cny * 100).to_integral_value())


def _date_widget():
    return DateInput()


def _shop_queryset(access: Access, capability: str = "commerce.view"):
    return (
        shops_visible(access=access, capability=capability)
        .filter(is_active=True)
        .order_by("platform", "name")
    )


class ShopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Shop) -> str:
        return str(obj)


class CampaignForm(MarketingForm):
    name = forms.CharField(max_length=120, label=_("Name"))
    kind = forms.ChoiceField(choices=Campaign.Kind.choices, label=_("Kind"))
    status = forms.ChoiceField(choices=Campaign.Status.choices, label=_("Status"))
    starts_on = forms.DateField(label=_("Starts on"), widget=_date_widget())
    ends_on = forms.DateField(label=_("Ends on"), widget=_date_widget())
    goal_gmv = CnyField(label=_("GMV goal (CNY)"), required=False)
    goals = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Goals and plan")
    )
    shops = forms.ModelMultipleChoiceField(queryset=Shop.objects.none(), required=False, label=_("Shops"))
    products = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_("Products"))
    session_ids = forms.CharField(
        required=False,
        max_length=500,
        label=_("Live sessions"),
        help_text=_("Numbers of the live sessions, separated by commas (until the live module links them)."),
    )

    def __init__(self, *args, access: Access, campaign: Campaign | None = None, **kwargs):
        from liveops.sourcing.models import PipelineStage, Product

        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": campaign.name,
                "kind": campaign.kind,
                "status": campaign.status,
                "starts_on": campaign.starts_on,
                "ends_on": campaign.ends_on,
                "goal_gmv": Decimal(campaign.goal_gmv_fen) / 100,
                "goals": campaign.goals,
                "shops": list(campaign.shops.values_list("id", flat=True)),
                "products": list(campaign.products.values_list("id", flat=True)),
                "session_ids": ", ".join(str(i) for i in campaign.session_ids or []),
            }
        super().__init__(*args, **kwargs)
        self.fields["shops"].queryset = _shop_queryset(access)
        linked = list(campaign.products.values_list("id", flat=True)) if campaign is not None else []
        # Products approved for live selling, and those already linked (campaigns plan what is sold).
        self.fields["products"].queryset = Product.objects.filter(
            Q(stage=PipelineStage.APPROVED) | Q(pk__in=linked)
        ).order_by("title")
        self.fields["shops"].widget.attrs["size"] = 6
        self.fields["products"].widget.attrs["size"] = 8

    def clean_session_ids(self) -> list[int]:
        text = self.cleaned_data.get("session_ids") or ""
        parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
        if not all((n := int_or_none(p)) is not None and 0 < n < 2**63 for p in parts):
            raise forms.ValidationError(_("Give the sessions' numbers, separated by commas."))
        return sorted({int(p) for p in parts})

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "kind": d["kind"],
            "status": d["status"],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "goal_gmv_fen": d.get("goal_gmv") or 0,
            "goals": d.get("goals") or "",
            "shops": list(d.get("shops") or []),
            "products": list(d.get("products") or []),
            "session_ids": d.get("session_ids") or [],
        }


class BudgetForm(MarketingForm):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label=_("Campaign"))
    shop = ShopChoiceField(
        queryset=Shop.objects.none(), required=False, label=_("Shop"), empty_label=_("All shops")
    )
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *AdChannel.choices], required=False, label=_("Channel")
    )
    period_start = forms.DateField(
        required=False, label=_("From"), widget=_date_widget(), help_text=_("Empty: the campaign's dates.")
    )
    period_end = forms.DateField(required=False, label=_("To"), widget=_date_widget())
    amount = CnyField(label=_("Amount (CNY)"))
    note = forms.CharField(required=False, max_length=200, label=_("Note"))

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list(access=access).exclude(
            status=Campaign.Status.CANCELLED
        )
        self.fields["shop"].queryset = _shop_queryset(access)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if not data.get("campaign") and not (start and end):
            self.add_error("period_start", _("Give the period, or choose a campaign."))
        if start and end and end < start:
            self.add_error("period_end", _("The end date is before the start date."))
        return data


class BudgetEditForm(MarketingForm):
    amount = CnyField(label=_("Amount (CNY)"))
    period_start = forms.DateField(label=_("From"), widget=_date_widget())
    period_end = forms.DateField(label=_("To"), widget=_date_widget())
    note = forms.CharField(required=False, max_length=200, label=_("Note"))


class AdSpendForm(MarketingForm):
    shop = ShopChoiceField(queryset=Shop.objects.none(), label=_("Shop"))
    channel = forms.ChoiceField(choices=AdChannel.choices, label=_("Channel"))
    day = forms.DateField(label=_("Day"), widget=_date_widget())
    plan_id = forms.CharField(required=False, max_length=60, label=_("Plan ID"))
    plan_name = forms.CharField(required=False, max_length=200, label=_("Plan"))
    spend = CnyField(label=_("Spend (CNY)"))
    impressions = forms.IntegerField(required=False, min_value=0, max_value=2**62, label=_("Impressions"))
    clicks = forms.IntegerField(required=False, min_value=0, max_value=2**62, label=_("Clicks"))
    platform_gmv = CnyField(required=False, label=_("GMV reported by the platform (CNY)"))
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        label=_("Campaign"),
        empty_label=_("Automatic (the one campaign covering the shop and day)"),
    )

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = _shop_queryset(access, "commerce.change")
        self.fields["campaign"].queryset = campaign_list(access=access).exclude(
            status=Campaign.Status.CANCELLED
        )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A day in the future."))
        return day


class AdSpendImportForm(MarketingForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    shop = ShopChoiceField(queryset=Shop.objects.none(), label=_("Shop"))
    channel = forms.ChoiceField(
        choices=[("", _("From the file's channel column")), *AdChannel.choices],
        required=False,
        label=_("Channel"),
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        label=_("Campaign"),
        empty_label=_("Automatic (the one campaign covering the shop and day)"),
    )

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = _shop_queryset(access, "commerce.import")
        self.fields["campaign"].queryset = campaign_list(access=access).exclude(
            status=Campaign.Status.CANCELLED
        )
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"

    def options(self) -> dict:
        d = self.cleaned_data
        options = {"shop": str(d["shop"].pk)}
        if d.get("channel"):
            options["channel"] = d["channel"]
        if d.get("campaign"):
            options["campaign"] = str(d["campaign"].pk)
        return options


class KpiForm(MarketingForm):
    code = forms.SlugField(max_length=40, label=_("Code"))
    name = forms.CharField(max_length=80, label=_("Name"))
    metric = forms.ChoiceField(
        choices=[("", _("Entered by staff (no computation)")), *Kpi.Metric.choices],
        required=False,
        label=_("Computed from"),
    )
    unit = forms.ChoiceField(
        choices=[("", _("The metric's unit")), *Kpi.Unit.choices], required=False, label=_("Unit")
    )
    higher_is_better = forms.BooleanField(required=False, initial=True, label=_("Higher is better"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Description")
    )

    def clean(self):
        data = super().clean()
        if not data.get("metric") and not data.get("unit"):
            self.add_error("unit", _("Choose the unit of an entered KPI."))
        return data


def _value_in_unit(kpi: Kpi, value: Decimal) -> Decimal:
    """Amount KPIs are typed in CNY and stored in fen."""
    return (value * 100).to_integral_value() if kpi.unit == Kpi.Unit.FEN else value


class KpiTargetForm(MarketingForm):
    kpi = forms.ModelChoiceField(queryset=Kpi.objects.filter(is_active=True), label=_("KPI"))
    shop = ShopChoiceField(
        queryset=Shop.objects.none(),
        required=False,
        label=_("Shop"),
        empty_label=_("Company total (all shops)"),
    )
    period_start = forms.DateField(label=_("From"), widget=_date_widget())
    period_end = forms.DateField(label=_("To"), widget=_date_widget())
    target = forms.DecimalField(
        min_value=0,
        max_digits=18,
        decimal_places=4,
        label=_("Target"),
        help_text=_("In the KPI's unit: CNY for amounts, percent for rates (3.5 = 3.5 %)."),
    )

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = _shop_queryset(access, "commerce.manage")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date is before the start date."))
        return data

    def target_value(self) -> Decimal:
        return _value_in_unit(self.cleaned_data["kpi"], self.cleaned_data["target"])


class KpiMeasurementForm(MarketingForm):
    kpi = forms.ModelChoiceField(queryset=Kpi.objects.filter(is_active=True, metric=""), label=_("KPI"))
    shop = ShopChoiceField(queryset=Shop.objects.none(), label=_("Shop"))
    day = forms.DateField(label=_("Day"), widget=_date_widget())
    value = forms.DecimalField(
        min_value=0,
        max_digits=18,
        decimal_places=4,
        label=_("Value"),
        help_text=_("In the KPI's unit: CNY for amounts, percent for rates."),
    )

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = _shop_queryset(access, "commerce.change")

    def measured_value(self) -> Decimal:
        return _value_in_unit(self.cleaned_data["kpi"], self.cleaned_data["value"])


class PeriodForm(forms.Form):
    """From/to filters of the list pages (GET); defaults are set by the view."""

    date_from = forms.DateField(required=False, widget=_date_widget())
    date_to = forms.DateField(required=False, widget=_date_widget())
    shop = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def period(
        self, default_from: dt.date, default_to: dt.date, max_days: int = 366 * 2
    ) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("date_from") or default_from
        end = data.get("date_to") or default_to
        if end < start:
            start, end = end, start
        if (end - start).days > max_days:
            start = end - dt.timedelta(days=max_days)
        return start, end
