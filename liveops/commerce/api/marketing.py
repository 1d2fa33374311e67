"""API of the marketing side of e-commerce operations: campaigns (EC-2, EC-3), budgets, ad spend and
ROI (LC-3), KPIs (EC-4), product lifecycle (EC-5) and product performance (LC-4).

Thin: selectors read (scoped to the caller), services write and check the capability again. Money is
whole fen (``*_fen``); ROI and rates are decimals as strings (``"3.25"``, percent points for rates).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.commerce.models import (
    AdSpend,
    Budget,
    Campaign,
    Kpi,
    KpiMeasurement,
    KpiTarget,
    ProductLifecycle,
    Shop,
)
from liveops.commerce.models.marketing import AdChannel
from liveops.commerce.selectors import marketing as selectors
from liveops.commerce.selectors.shops import shop_get
from liveops.commerce.services import kpis as kpi_services
from liveops.commerce.services import marketing as services
from liveops.core.errors import DomainError
from liveops.core.forms import optional_id

MAX_SPAN_DAYS = 366 * 2


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def _visible_shop(request, pk) -> Shop:
    shop = shop_get(access=request.access, pk=pk) if pk else None
    if shop is None:
        raise DomainError(_("Unknown shop."), fields={"shop": [_("Unknown shop.")]})
    return shop


def _visible_campaign(request, pk) -> Campaign:
    campaign = selectors.campaign_get(access=request.access, pk=pk) if pk else None
    if campaign is None:
        raise DomainError(_("Unknown campaign."), fields={"campaign": [_("Unknown campaign.")]})
    return campaign


def _period(request, *, default_days: int = 30) -> tuple[dt.date, dt.date]:
    """``date_from``/``date_to`` query parameters (defaults: the last ``default_days`` days)."""
    today = timezone.localdate()
    out = []
    for name, default in (("date_from", today - dt.timedelta(days=default_days - 1)), ("date_to", today)):
        text = request.query_params.get(name)
        if not text:
            out.append(default)
            continue
        try:
            out.append(dt.date.fromisoformat(text))
        except ValueError as exc:
            raise DomainError(
                _("Not a date."), code="invalid", fields={name: [_("Use YYYY-MM-DD.")]}
            ) from exc
    start, end = out
    if end < start:
        raise DomainError(
            _("The end date is before the start date."),
            code="invalid",
            fields={"date_to": [_("The end date is before the start date.")]},
        )
    if (end - start).days > MAX_SPAN_DAYS:
        raise DomainError(
            _("Choose at most two years."), code="invalid", fields={"date_to": [_("Too long.")]}
        )
    return start, end


_PERIOD_PARAMS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="first day (default: 30 days ago)"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="last day (default: today)"),
]


# Campaigns ----------------------------------------------------------------------------------------


_KINDS = " | ".join(Campaign.Kind.values)
_STATUSES = " | ".join(Campaign.Status.values)


class CampaignSerializer(serializers.ModelSerializer):
    # Plain strings (not enums) so the schema does not get several different "kind"/"status" enums.
    kind = serializers.CharField(read_only=True, help_text=_KINDS)
    status = serializers.CharField(read_only=True, help_text=_STATUSES)
    shops = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    products = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    session_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "goal_gmv_fen",
            "goals",
            "shops",
            "products",
            "session_ids",
            "department",
            "owner",
            "created_at",
        ]


class CampaignPerformanceSerializer(serializers.Serializer):
    shop_gmv_fen = serializers.IntegerField()
    product_gmv_fen = serializers.IntegerField()
    attributed_gmv_fen = serializers.IntegerField()
    attributed_from = serializers.CharField(help_text="products | shops")
    spend_fen = serializers.IntegerField()
    roi = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    goal_pct = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    elapsed_pct = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    hidden_shops = serializers.IntegerField()


class CampaignDetailSerializer(CampaignSerializer):
    performance = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "performance"]

    @extend_schema_field(CampaignPerformanceSerializer)
    def get_performance(self, obj) -> dict:
        perf = selectors.campaign_performance(access=self.context["request"].access, campaign=obj)
        return CampaignPerformanceSerializer(perf).data


class CampaignWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.CharField(max_length=12, default=Campaign.Kind.OTHER, help_text=_KINDS)
    status = serializers.CharField(max_length=10, default=Campaign.Status.PLANNED, help_text=_STATUSES)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    goal_gmv_fen = serializers.IntegerField(min_value=0, max_value=services.MAX_MONEY_FEN, default=0)
    goals = serializers.CharField(allow_blank=True, default="", max_length=10_000)
    shops = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), default=list
    )
    products = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), default=list
    )
    session_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), default=list
    )

    def validate_kind(self, value: str) -> str:
        if value not in Campaign.Kind.values:
            raise serializers.ValidationError(_("Unknown kind."))
        return value

    def validate_status(self, value: str) -> str:
        if value not in Campaign.Status.values:
            raise serializers.ValidationError(_("Unknown status."))
        return value


class CampaignUpdateSerializer(CampaignWriteSerializer):
    """Every field optional (PATCH)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False
            f.default = serializers.empty


def _campaign_links(request, data: dict) -> dict:
    from liveops.sourcing.models import Product

    out = dict(data)
    if "shops" in data:
        out["shops"] = [_visible_shop(request, pk) for pk in dict.fromkeys(data["shops"])]
    if "products" in data:
        ids = list(dict.fromkeys(data["products"]))
        products = list(Product.objects.filter(pk__in=ids))
        if len(products) != len(ids):
            raise DomainError(_("Unknown product."), fields={"products": [_("Unknown product.")]})
        out["products"] = products
    return out


class CampaignFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="ends_on", lookup_expr="gte", label="ends on or after")
    date_to = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label="starts on or before"
    )

    class Meta:
        model = Campaign
        fields = ["status", "kind", "date_from", "date_to"]


class CampaignListCreate(generics.ListCreateAPIView):
    """Campaigns on the marketing calendar (``date_from``/``date_to`` select those overlapping the days).
    POST plans a campaign (``commerce.change``); shops and products are given by id."""

    capability = "commerce.view"
    write_capability = "commerce.change"
    duties = ("EC-2", "EC-3")
    feature = gettext_noop("Campaigns API")
    queryset = Campaign.objects.none()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["id", "starts_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.campaign_list(access=self.request.access).prefetch_related("shops", "products")

    @extend_schema(request=CampaignWriteSerializer, responses={201: CampaignSerializer})
    def post(self, request, *args, **kwargs):
        ser = CampaignWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        campaign = services.campaign_create(
            actor=request.user, **_campaign_links(request, ser.validated_data)
        )
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetail(generics.RetrieveAPIView):
    """One campaign with its performance: goal against attributed GMV (from the rollups over its
    dates), ad spend linked to it and ROI. PATCH changes it (``commerce.change``)."""

    capability = "commerce.view"
    write_capability = "commerce.change"
    duties = ("EC-2", "EC-3", "LC-3")
    feature = gettext_noop("Campaigns API")
    queryset = Campaign.objects.none()
    serializer_class = CampaignDetailSerializer

    def get_queryset(self):
        return selectors.campaign_list(access=self.request.access)

    @extend_schema(request=CampaignUpdateSerializer, responses=CampaignDetailSerializer)
    def patch(self, request, pk: int):
        campaign = self.get_object()
        ser = CampaignUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        campaign = services.campaign_update(
            actor=request.user, campaign=campaign, data=_campaign_links(request, ser.validated_data)
        )
        return Response(CampaignDetailSerializer(campaign, context={"request": request}).data)


# Budgets ------------------------------------------------------------------------------------------


class BudgetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="budget.pk")
    campaign = serializers.IntegerField(source="budget.campaign_id", allow_null=True)
    shop = serializers.IntegerField(source="budget.shop_id", allow_null=True)
    channel = serializers.CharField(source="budget.channel", help_text="empty: every channel")
    period_start = serializers.DateField(source="budget.period_start")
    period_end = serializers.DateField(source="budget.period_end")
    amount_fen = serializers.IntegerField(source="budget.amount_fen")
    note = serializers.CharField(source="budget.note")
    department = serializers.IntegerField(source="budget.department_id")
    spend_fen = serializers.IntegerField()
    remaining_fen = serializers.IntegerField()
    used_pct = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    overspent = serializers.BooleanField()
    overspent_at = serializers.DateTimeField(source="budget.overspent_at", allow_null=True)
    set_at = serializers.DateTimeField(source="budget.set_at")


class BudgetWriteSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(min_value=0, max_value=services.MAX_MONEY_FEN)
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    shop = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    channel = serializers.ChoiceField(choices=[("", "all"), *AdChannel.choices], required=False, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class BudgetUpdateSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(min_value=0, max_value=services.MAX_MONEY_FEN, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    channel = serializers.ChoiceField(choices=[("", "all"), *AdChannel.choices], required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _status(budget: Budget) -> selectors.BudgetStatus:
    return selectors.BudgetStatus(budget=budget, spend_fen=selectors.budget_spend([budget])[budget.pk])


class BudgetListCreate(APIView):
    """Budgets the caller sees, each with the spend in its scope, remaining amount and whether it is
    overspent (newest period first, at most 500). POST sets a budget: managers only (``commerce.manage``)."""

    capability = "commerce.view"
    write_capability = "commerce.manage"
    duties = ("LC-3", "EC-3")
    feature = gettext_noop("Budgets API")

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", OpenApiTypes.INT),
            OpenApiParameter("shop", OpenApiTypes.INT),
        ],
        responses=BudgetSerializer(many=True),
    )
    def get(self, request):
        def int_param(name):
            return optional_id(request.query_params.get(name), field=name)

        rows = selectors.budget_list(
            access=request.access, campaign_id=int_param("campaign"), shop_id=int_param("shop")
        )
        return Response(BudgetSerializer(rows, many=True).data)

    @extend_schema(request=BudgetWriteSerializer, responses={201: BudgetSerializer})
    def post(self, request):
        ser = BudgetWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        budget = services.budget_create(
            actor=request.user,
            amount_fen=d["amount_fen"],
            period_start=d.get("period_start"),
            period_end=d.get("period_end"),
            campaign=_visible_campaign(request, d["campaign"]) if d.get("campaign") else None,
            shop=_visible_shop(request, d["shop"]) if d.get("shop") else None,
            channel=d.get("channel") or "",
            note=d.get("note") or "",
        )
        return Response(BudgetSerializer(_status(budget)).data, status=status.HTTP_201_CREATED)


class BudgetDetail(APIView):
    """One budget with its spend. PATCH changes amount, period, channel or note; DELETE removes it
    (managers only)."""

    capability = "commerce.view"
    write_capability = "commerce.manage"
    duties = ("LC-3",)
    feature = gettext_noop("Budgets API")

    def _get(self, request, pk: int) -> Budget:
        budget = selectors.budget_queryset(access=request.access).filter(pk=pk).first()
        if budget is None:
            raise Http404
        return budget

    @extend_schema(responses=BudgetSerializer)
    def get(self, request, pk: int):
        return Response(BudgetSerializer(_status(self._get(request, pk))).data)

    @extend_schema(request=BudgetUpdateSerializer, responses=BudgetSerializer)
    def patch(self, request, pk: int):
        budget = self._get(request, pk)
        ser = BudgetUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        budget = services.budget_update(actor=request.user, budget=budget, data=dict(ser.validated_data))
        return Response(BudgetSerializer(_status(budget)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.budget_delete(actor=request.user, budget=self._get(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetOverspentList(APIView):
    """Budgets whose spend has passed their amount (the overspend alerts), largest overrun first."""

    capability = "commerce.view"
    duties = ("LC-3",)
    feature = gettext_noop("Overspent budgets API")

    @extend_schema(responses=BudgetSerializer(many=True))
    def get(self, request):
        return Response(BudgetSerializer(selectors.budgets_overspent(access=request.access), many=True).data)


# Ad spend and ROI ---------------------------------------------------------------------------------


class AdSpendSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(read_only=True)

    class Meta:
        model = AdSpend
        fields = [
            "id",
            "shop",
            "channel",
            "day",
            "plan_id",
            "plan_name",
            "campaign",
            "spend_fen",
            "impressions",
            "clicks",
            "platform_gmv_fen",
            "import_run_id",
            "entered_at",
        ]


class AdSpendWriteSerializer(serializers.Serializer):
    shop = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(choices=AdChannel.choices)
    day = serializers.DateField()
    plan_id = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    plan_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    spend_fen = serializers.IntegerField(min_value=0, max_value=services.MAX_MONEY_FEN)
    impressions = serializers.IntegerField(min_value=0, max_value=2**62, required=False, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=2**62, required=False, default=0)
    platform_gmv_fen = serializers.IntegerField(
        min_value=0, max_value=services.MAX_MONEY_FEN, required=False, default=0
    )
    campaign = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="omit: automatic; null: none"
    )


class AdSpendFilter(django_filters.FilterSet):
    shop = IdFilter(field_name="shop_id", label="shop id")
    campaign = IdFilter(field_name="campaign_id", label="campaign id")
    date_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = AdSpend
        fields = ["channel", "shop", "campaign", "date_from", "date_to"]


class AdSpendListCreate(generics.ListCreateAPIView):
    """Ad spend per plan and day in the caller's shops. POST records one (``commerce.change``),
    replacing what was recorded for the same shop, channel, day and plan ID; files go through the
    import kind ``ad-spend``."""

    capability = "commerce.view"
    write_capability = "commerce.change"
    duties = ("LC-3",)
    feature = gettext_noop("Ad spend API")
    queryset = AdSpend.objects.none()
    serializer_class = AdSpendSerializer
    filterset_class = AdSpendFilter
    ordering_fields = ["id", "day"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.ad_spend_list(access=self.request.access)

    @extend_schema(request=AdSpendWriteSerializer, responses={201: AdSpendSerializer, 200: AdSpendSerializer})
    def post(self, request, *args, **kwargs):
        ser = AdSpendWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        shop = _visible_shop(request, d.pop("shop"))
        if "campaign" in d:
            pk = d.pop("campaign")
            d["campaign"] = _visible_campaign(request, pk) if pk else None
        row, created = services.ad_spend_record(actor=request.user, shop=shop, **d)
        return Response(
            AdSpendSerializer(row).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RoiRowSerializer(serializers.Serializer):
    shop = serializers.IntegerField(source="shop.pk")
    shop_name = serializers.CharField(source="shop.name")
    gmv_fen = serializers.IntegerField()
    spend_fen = serializers.IntegerField()
    roi = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    platform_gmv_fen = serializers.IntegerField()
    platform_roi = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class RoiByShop(APIView):
    """ROI per shop over the days: attributed GMV (daily rollups, by pay time) / ad spend; null when
    nothing was spent. ``platform_roi`` uses the GMV the ad platforms report."""

    capability = "commerce.view"
    duties = ("LC-3",)
    feature = gettext_noop("ROI API")

    @extend_schema(parameters=_PERIOD_PARAMS, responses=RoiRowSerializer(many=True))
    def get(self, request):
        start, end = _period(request)
        rows = selectors.roi_by_shop(access=request.access, date_from=start, date_to=end)
        return Response(RoiRowSerializer(rows, many=True).data)


# KPIs ---------------------------------------------------------------------------------------------


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ["id", "code", "name", "unit", "higher_is_better", "metric", "description", "is_active"]


class KpiWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=80)
    unit = serializers.ChoiceField(choices=Kpi.Unit.choices, required=False, allow_blank=True, default="")
    metric = serializers.ChoiceField(choices=Kpi.Metric.choices, required=False, allow_blank=True, default="")
    higher_is_better = serializers.BooleanField(required=False, default=True)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class KpiListCreate(generics.ListCreateAPIView):
    """KPI definitions. POST defines one (managers, ``commerce.manage``)."""

    capability = "commerce.view"
    write_capability = "commerce.manage"
    duties = ("EC-4",)
    feature = gettext_noop("KPIs API")
    queryset = Kpi.objects.none()
    serializer_class = KpiSerializer
    ordering_fields = ["id"]
    ordering = ["-id"]
    filterset_fields = ["is_active", "unit"]

    def get_queryset(self):
        return selectors.kpi_list(access=self.request.access)

    @extend_schema(request=KpiWriteSerializer, responses={201: KpiSerializer})
    def post(self, request, *args, **kwargs):
        ser = KpiWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        kpi = kpi_services.kpi_create(actor=request.user, **ser.validated_data)
        return Response(KpiSerializer(kpi).data, status=status.HTTP_201_CREATED)


class KpiTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiTarget
        fields = ["id", "kpi", "shop", "period_start", "period_end", "target", "set_at"]


class KpiTargetWriteSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1)
    shop = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="null: company total"
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target = serializers.DecimalField(
        max_digits=18, decimal_places=4, min_value=0, help_text="in the KPI's unit (fen, percent points…)"
    )


def _kpi(request, pk) -> Kpi:
    kpi = selectors.kpi_list(access=request.access).filter(pk=pk).first()
    if kpi is None:
        raise DomainError(_("Unknown KPI."), fields={"kpi": [_("Unknown KPI.")]})
    return kpi


class KpiTargetFilter(django_filters.FilterSet):
    kpi = IdFilter(field_name="kpi_id", label="kpi id")
    shop = IdFilter(field_name="shop_id", label="shop id")

    class Meta:
        model = KpiTarget
        fields = ["kpi", "shop"]


class KpiTargetListCreate(generics.ListCreateAPIView):
    """KPI targets per shop (or company total) and period. POST sets one (managers), replacing the
    target of the same KPI, shop and period."""

    capability = "commerce.view"
    write_capability = "commerce.manage"
    duties = ("EC-4",)
    feature = gettext_noop("KPI targets API")
    queryset = KpiTarget.objects.none()
    serializer_class = KpiTargetSerializer
    filterset_class = KpiTargetFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.kpi_target_list(access=self.request.access)

    @extend_schema(
        request=KpiTargetWriteSerializer, responses={201: KpiTargetSerializer, 200: KpiTargetSerializer}
    )
    def post(self, request, *args, **kwargs):
        ser = KpiTargetWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        target, created = kpi_services.kpi_target_set(
            actor=request.user,
            kpi=_kpi(request, d["kpi"]),
            shop=_visible_shop(request, d["shop"]) if d.get("shop") else None,
            period_start=d["period_start"],
            period_end=d["period_end"],
            target=d["target"],
        )
        return Response(
            KpiTargetSerializer(target).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class KpiMeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiMeasurement
        fields = ["id", "kpi", "shop", "day", "value"]


class KpiMeasurementWriteSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1)
    shop = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    day = serializers.DateField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=0)


class KpiMeasurementFilter(django_filters.FilterSet):
    kpi = IdFilter(field_name="kpi_id", label="kpi id")
    shop = IdFilter(field_name="shop_id", label="shop id")
    date_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = KpiMeasurement
        fields = ["kpi", "shop", "date_from", "date_to"]


class KpiMeasurementListCreate(generics.ListCreateAPIView):
    """Values of entered KPIs (visitors, page CTR, member sign-up rate…) per shop and day. POST records
    one (``commerce.change``), replacing the value of the same KPI, shop and day."""

    capability = "commerce.view"
    write_capability = "commerce.change"
    duties = ("EC-4",)
    feature = gettext_noop("KPI measurements API")
    queryset = KpiMeasurement.objects.none()
    serializer_class = KpiMeasurementSerializer
    filterset_class = KpiMeasurementFilter
    ordering_fields = ["id", "day"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.kpi_measurement_list(access=self.request.access)

    @extend_schema(
        request=KpiMeasurementWriteSerializer,
        responses={201: KpiMeasurementSerializer, 200: KpiMeasurementSerializer},
    )
    def post(self, request, *args, **kwargs):
        ser = KpiMeasurementWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        row, created = kpi_services.kpi_measurement_record(
            actor=request.user,
            kpi=_kpi(request, d["kpi"]),
            shop=_visible_shop(request, d["shop"]) if d.get("shop") else None,
            day=d["day"],
            value=d["value"],
        )
        return Response(
            KpiMeasurementSerializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class KpiTrackingRowSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk")
    kpi = serializers.IntegerField(source="kpi.pk")
    kpi_code = serializers.CharField(source="kpi.code")
    unit = serializers.CharField(source="kpi.unit")
    shop = serializers.IntegerField(source="target.shop_id", allow_null=True)
    period_start = serializers.DateField(source="target.period_start")
    period_end = serializers.DateField(source="target.period_end")
    target_value = serializers.DecimalField(source="target.target", max_digits=18, decimal_places=4)
    actual = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    progress_pct = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    met = serializers.BooleanField()
    elapsed_pct = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class KpiTracking(APIView):
    """Targets overlapping the days with their actual (computed KPIs from the daily rollups, entered
    ones from their values), progress and whether they are met. Default: the current month."""

    capability = "commerce.view"
    duties = ("EC-4",)
    feature = gettext_noop("KPI tracking API")

    @extend_schema(
        parameters=[*_PERIOD_PARAMS, OpenApiParameter("shop", OpenApiTypes.INT)],
        responses=KpiTrackingRowSerializer(many=True),
    )
    def get(self, request):
        today = timezone.localdate()
        if request.query_params.get("date_from") or request.query_params.get("date_to"):
            start, end = _period(request)
        else:
            start = today.replace(day=1)
            end = today
        shop_id = optional_id(request.query_params.get("shop"), field="shop")
        rows = selectors.kpi_tracking(
            access=request.access,
            date_from=start,
            date_to=end,
            shop_id=shop_id,
            today=today,
        )
        return Response(KpiTrackingRowSerializer(rows, many=True).data)


# Lifecycle and product performance ----------------------------------------------------------------


class LifecycleSerializer(serializers.ModelSerializer):
    product_title = serializers.CharField(source="product.title", read_only=True)

    class Meta:
        model = ProductLifecycle
        fields = ["id", "product", "product_title", "tag", "since", "computed_at", "metrics"]


class LifecycleList(generics.ListAPIView):
    """Products with their lifecycle tag (new, rising, hit, long_tail, clearance) and the figures
    behind it; ``?tag=hit`` for one tag."""

    capability = "commerce.view"
    duties = ("EC-5",)
    feature = gettext_noop("Product lifecycle API")
    queryset = ProductLifecycle.objects.none()
    serializer_class = LifecycleSerializer
    filterset_fields = ["tag"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.lifecycle_list(access=self.request.access)


class ProductPerformanceRowSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True, help_text="null: lines not matched to a product")
    title = serializers.CharField()
    merchant = serializers.CharField()
    gmv_fen = serializers.IntegerField()
    units = serializers.IntegerField()
    orders_paid = serializers.IntegerField()
    lines_paid = serializers.IntegerField()
    refund_lines = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    refund_rate = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    tag = serializers.CharField()
    lineup = serializers.CharField(help_text="keep | push | test | rotate | clear, from the lifecycle tag")


class ProductPerformance(APIView):
    """Per product over the days (product breakdown of the daily rollups, by pay time): GMV, units,
    orders, refunds, refund rate, lifecycle tag and its line-up suggestion; at most 500 rows, sorted
    by ``sort`` (gmv, units, orders, refund_rate, title; ``-`` descending, default ``-gmv``)."""

    capability = "commerce.view"
    duties = ("LC-4",)
    feature = gettext_noop("Product performance API")

    @extend_schema(
        parameters=[
            *_PERIOD_PARAMS,
            OpenApiParameter("shop", OpenApiTypes.INT),
            OpenApiParameter("sort", OpenApiTypes.STR),
            OpenApiParameter("tag", OpenApiTypes.STR),
        ],
        responses=ProductPerformanceRowSerializer(many=True),
    )
    def get(self, request):
        start, end = _period(request, default_days=28)
        shop_id = optional_id(request.query_params.get("shop"), field="shop")
        sort = request.query_params.get("sort") or "-gmv"
        if sort.lstrip("-") not in selectors.PERFORMANCE_SORTS:
            raise DomainError(_("Unknown sort."), code="invalid", fields={"sort": [_("Unknown sort.")]})
        tag = request.query_params.get("tag") or ""
        if tag and tag not in ProductLifecycle.Tag.values:
            raise DomainError(_("Unknown tag."), code="invalid", fields={"tag": [_("Unknown tag.")]})
        rows = selectors.product_performance(
            access=request.access,
            date_from=start,
            date_to=end,
            shop_id=shop_id,
            sort=sort,
            tag=tag,
            limit=500,
        )
        return Response(ProductPerformanceRowSerializer(rows, many=True).data)
