"""API of the shop dashboards and orders (EC-1, LC-1, LC-4): shops, their daily figures, the
dashboard series and breakdowns (daily rollups only), anchor and product sales, and orders with
their lines (buyers masked; ``contact/`` reveals them to ``commerce.view_personal``, logged)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.commerce.models import AnchorAccount, DailyShopRollup, Order, OrderLine, Shop
from liveops.commerce.models.orders import AfterSaleState, LineStatus
from liveops.commerce.selectors import dashboards as sel
from liveops.commerce.selectors import orders as order_sel
from liveops.commerce.selectors.shops import shop_ids_visible, shops_visible
from liveops.commerce.services.order_contacts import order_contact_reveal
from liveops.core.errors import DomainError

_ID_MAX = 2**63 - 1


# Serializers ------------------------------------------------------------------------------------


class ShopFreshnessSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)

    class Meta:
        model = Shop
        fields = [
            "id",
            "platform",
            "name",
            "platform_shop_id",
            "department",
            "is_active",
            "orders_updated_at",
            "aftersales_updated_at",
            "settlements_updated_at",
        ]


class SalesRatiosSerializer(serializers.Serializer):
    aov_fen = serializers.IntegerField(allow_null=True, help_text="GMV ÷ paid orders, whole fen")
    refund_rate = serializers.FloatField(allow_null=True, help_text="refunds ÷ GMV (0–1)")


class SalesSumsSerializer(SalesRatiosSerializer):
    gmv_fen = serializers.IntegerField()
    orders_paid = serializers.IntegerField()
    lines_paid = serializers.IntegerField()
    units = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    refund_lines = serializers.IntegerField()


class ShopSumsSerializer(SalesSumsSerializer):
    buyers = serializers.IntegerField(allow_null=True)
    orders_submitted = serializers.IntegerField()
    conversion = serializers.FloatField(allow_null=True, help_text="paid ÷ submitted orders")


class ShopDailyFiguresSerializer(serializers.ModelSerializer):
    """One shop on one day, as rolled up from its lines, with the derived ratios."""

    aov_fen = serializers.SerializerMethodField()
    refund_rate = serializers.SerializerMethodField()
    conversion = serializers.SerializerMethodField()

    class Meta:
        model = DailyShopRollup
        fields = [
            "day",
            "gmv_fen",
            "orders_paid",
            "lines_paid",
            "units",
            "buyers",
            "orders_submitted",
            "refund_fen",
            "refund_lines",
            "aov_fen",
            "refund_rate",
            "conversion",
            "updated_at",
        ]

    def get_aov_fen(self, obj) -> int | None:
        return sel.average_fen(obj.gmv_fen, obj.orders_paid)

    def get_refund_rate(self, obj) -> float | None:
        return sel.ratio(obj.refund_fen, obj.gmv_fen)

    def get_conversion(self, obj) -> float | None:
        return sel.ratio(obj.orders_paid, obj.orders_submitted)


class DashboardPeriodSerializer(ShopSumsSerializer):
    period = serializers.DateField(help_text="first day of the period")
    period_end = serializers.DateField()


class DashboardTimeBasisSerializer(serializers.Serializer):
    gmv = serializers.CharField()
    orders_paid = serializers.CharField()
    buyers = serializers.CharField()
    aov = serializers.CharField()
    refund_rate = serializers.CharField()
    conversion = serializers.CharField()
    hour = serializers.CharField()
    breakdown = serializers.CharField()


class DashboardFiguresSerializer(serializers.Serializer):
    grain = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    shops = serializers.ListField(child=serializers.IntegerField())
    time_basis = DashboardTimeBasisSerializer()
    total = ShopSumsSerializer()
    series = DashboardPeriodSerializer(many=True)


class DashboardBreakdownRowSerializer(SalesSumsSerializer):
    key = serializers.CharField(allow_null=True, help_text="id (anchor, product, merchant), text, or hour")
    label = serializers.CharField()
    share = serializers.FloatField(allow_null=True, help_text="share of the GMV (0–1)")


class DashboardBreakdownSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    rows = DashboardBreakdownRowSerializer(many=True)
    others = DashboardBreakdownRowSerializer(allow_null=True)
    total = SalesSumsSerializer()


class SalesDaySerializer(SalesSumsSerializer):
    day = serializers.DateField()


class SalesShopSerializer(SalesSumsSerializer):
    shop_id = serializers.IntegerField()


class SalesPairSerializer(SalesSumsSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class AttributedSalesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    total = SalesSumsSerializer()
    by_day = SalesDaySerializer(many=True)
    by_shop = SalesShopSerializer(many=True)
    pairs = SalesPairSerializer(
        many=True,
        allow_null=True,
        help_text="the products the anchor sold / the anchors that sold the product, best first (at most 20); "
        "null when the range is longer than 92 days",
    )


class OrderMaskedSerializer(serializers.ModelSerializer):
    """An order with its buyer masked (``contact_platform_encrypted``: the platform exported the
    contact encrypted, ``##…``/``$$…``, and nobody here can read it)."""

    shop_name = serializers.CharField(source="shop.name", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "shop",
            "shop_name",
            "order_no",
            "submitted_at",
            "paid_at",
            "line_count",
            "amount_paid_fen",
            "buyer_name_masked",
            "buyer_phone_masked",
            "buyer_address_masked",
            "contact_platform_encrypted",
            "province",
            "city",
            "district",
        ]


class OrderLineDetailSerializer(serializers.ModelSerializer):
    # Plain string (not an enum): the after-sales cases API names the same choices already.
    aftersale_state = serializers.CharField(
        read_only=True, help_text="none | in_progress | refunded | closed"
    )
    anchor_nickname_matched = serializers.CharField(
        source="anchor_account.nickname", read_only=True, default=None, allow_null=True
    )
    product_title_matched = serializers.CharField(
        source="product.title", read_only=True, default=None, allow_null=True
    )
    merchant_name = serializers.CharField(
        source="merchant.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sub_order_no",
            "product_title",
            "sku_spec",
            "platform_product_id",
            "merchant_code",
            "quantity",
            "unit_price_fen",
            "amount_due_fen",
            "freight_fen",
            "discount_total_fen",
            "discount_platform_fen",
            "discount_merchant_fen",
            "discount_anchor_fen",
            "amount_paid_fen",
            "status",
            "status_text",
            "aftersale_state",
            "aftersale_text",
            "traffic_source",
            "province",
            "anchor_platform_id",
            "anchor_nickname",
            "submitted_at",
            "paid_at",
            "shipped_at",
            "finished_at",
            "day",
            "anchor_account",
            "anchor_nickname_matched",
            "product",
            "product_title_matched",
            "sku",
            "merchant",
            "merchant_name",
            "session_id",
            "refund_fen",
            "platform_fee_fen",
            "commission_fen",
            "promotion_fee_fen",
        ]


class OrderMaskedDetailSerializer(OrderMaskedSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(OrderMaskedSerializer.Meta):
        fields = [*OrderMaskedSerializer.Meta.fields, "buyer_note", "lines"]

    @extend_schema_field(OrderLineDetailSerializer(many=True))
    def get_lines(self, obj) -> list[dict]:
        return OrderLineDetailSerializer(order_sel.order_lines(obj), many=True).data


class BuyerContactValueSerializer(serializers.Serializer):
    value = serializers.CharField(allow_blank=True)
    platform_encrypted = serializers.BooleanField()


class BuyerContactSerializer(serializers.Serializer):
    name = BuyerContactValueSerializer()
    phone = BuyerContactValueSerializer()
    address = BuyerContactValueSerializer()


# Query parameters -------------------------------------------------------------------------------


def _date():
    return serializers.DateField(required=False, validators=sel.DATE_BOUNDS)


class RangeParams(serializers.Serializer):
    date_from = _date()
    date_to = _date()


class FiguresParams(RangeParams):
    shop = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX)
    grain = serializers.ChoiceField(choices=sel.GRAINS, required=False, default="day")


class BreakdownParams(FiguresParams):
    dimension = serializers.ChoiceField(choices=sel.DIMENSIONS, required=False, default="product")
    top = serializers.IntegerField(required=False, min_value=1, max_value=500, default=sel.TOP_ROWS)


def _params(cls, request) -> dict:
    ser = cls(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _range(params: dict, grain: str = "day") -> sel.DashboardRange:
    return sel.dashboard_range(
        grain=grain,
        date_from=params.get("date_from"),
        date_to=params.get("date_to"),
        today=timezone.localdate(),
    )


def _shop_ids(request, shop: int | None) -> list[int]:
    ids = shop_ids_visible(access=request.access)
    if shop is not None:
        if shop not in ids:
            raise Http404
        return [shop]
    return ids


_RANGE_PARAMS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="first day (Asia/Shanghai); default: 30 days"
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="last day; default today"),
]
_SHOP_PARAM = OpenApiParameter("shop", OpenApiTypes.INT, description="one shop; default every visible shop")


# Views ------------------------------------------------------------------------------------------


class ShopList(generics.ListAPIView):
    """Shops the caller may see, with when each data source last brought rows (platform data for the
    last hours is incomplete)."""

    capability = "commerce.view"
    duties = ("EC-1", "LC-1")
    feature = gettext_noop("Shops API")
    queryset = Shop.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = ShopFreshnessSerializer
    filterset_fields = ["platform", "is_active"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return shops_visible(access=self.request.access).order_by("-id")


class DailyFiguresFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = DailyShopRollup
        fields = ["date_from", "date_to"]


class ShopDailyFigures(generics.ListAPIView):
    """A shop's daily figures (the rollups), newest day first: GMV, paid orders and lines, units,
    buyers, refunds by pay day; submitted orders by submit day; with AOV, refund rate and conversion."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Shop daily figures API")
    queryset = DailyShopRollup.objects.none()
    serializer_class = ShopDailyFiguresSerializer
    filterset_class = DailyFiguresFilter
    ordering_fields = ["day"]
    ordering = ["-day"]

    def get_queryset(self):
        pk = self.kwargs["pk"]
        if pk not in shop_ids_visible(access=self.request.access):
            raise Http404
        return DailyShopRollup.objects.filter(shop_id=pk).order_by("-day")


class DashboardFigures(APIView):
    """The dashboard series of one shop or every visible shop by day, week or month (weeks and
    months whole: the range is widened to them). Weekly and monthly buyers are distinct buyers of
    the period; ``total.buyers`` is null over more than one period. ``time_basis`` says which time
    each figure uses."""

    capability = "commerce.view"
    duties = ("EC-1", "LC-1")
    feature = gettext_noop("Dashboard figures API")

    @extend_schema(
        parameters=[
            _SHOP_PARAM,
            OpenApiParameter("grain", OpenApiTypes.STR, enum=list(sel.GRAINS), description="default day"),
            *_RANGE_PARAMS,
        ],
        responses=DashboardFiguresSerializer,
    )
    def get(self, request):
        params = _params(FiguresParams, request)
        ids = _shop_ids(request, params.get("shop"))
        rng = _range(params, params["grain"])
        series = sel.figures_series(shop_ids=ids, start=rng.start, end=rng.end, grain=rng.grain)
        data = {
            "grain": rng.grain,
            "start": rng.start,
            "end": rng.end,
            "shops": ids,
            "time_basis": {k: str(v) for k, v in sel.TIME_BASIS.items()},
            "total": sel.figures_total(series),
            "series": series,
        }
        return Response(DashboardFiguresSerializer(data).data)


class DashboardBreakdown(APIView):
    """Sales of a range (at most 92 days) broken down by hour of payment, province, traffic source,
    anchor, product or merchant (best first; beyond ``top`` anchors, products and merchants are
    summed in ``others``)."""

    capability = "commerce.view"
    duties = ("EC-1", "LC-1", "LC-4")
    feature = gettext_noop("Dashboard breakdown API")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dimension", OpenApiTypes.STR, enum=list(sel.DIMENSIONS), description="default product"
            ),
            _SHOP_PARAM,
            *_RANGE_PARAMS,
            OpenApiParameter("top", OpenApiTypes.INT, description="rows before 'others' (default 20)"),
        ],
        responses=DashboardBreakdownSerializer,
    )
    def get(self, request):
        params = _params(BreakdownParams, request)
        ids = _shop_ids(request, params.get("shop"))
        rng = _range(params)
        if not rng.whole_allowed:
            raise DomainError(
                _("Choose at most %(n)d days for a breakdown.") % {"n": sel.MAX_BREAKDOWN_DAYS},
                code="invalid",
                fields={"date_to": [_("The range is too long.")]},
            )
        key = sel.figures_cache_key(
            sel.rollups_stamp(shop_ids=ids),
            "breakdown",
            rng.start,
            rng.end,
            params["dimension"],
            params["top"],
        )
        data = sel.figures_cached(
            key,
            lambda: sel.breakdown(
                shop_ids=ids, start=rng.start, end=rng.end, dimension=params["dimension"], top=params["top"]
            ),
        )
        return Response(DashboardBreakdownSerializer({**data, "start": rng.start, "end": rng.end}).data)


def _key_sales(request, *, dimension: str, pair: str, pk: int, name: str) -> Response:
    params = _params(RangeParams, request)
    ids = shop_ids_visible(access=request.access)
    rng = _range(params)
    sales = sel.key_sales(dimension=dimension, key=str(pk), shop_ids=ids, start=rng.start, end=rng.end)
    pairs = sel.pair_breakdown(dimension=pair, first_id=pk, shop_ids=ids, start=rng.start, end=rng.end)
    data = {"id": pk, "name": name, "start": rng.start, "end": rng.end, **sales, "pairs": pairs}
    return Response(AttributedSalesSerializer(data).data)


class AnchorSales(APIView):
    """An anchor account's attributed sales in the visible shops: total, by day, by shop."""

    capability = "commerce.view"
    duties = ("LC-4", "EC-1")
    feature = gettext_noop("Anchor sales API")

    @extend_schema(parameters=_RANGE_PARAMS, responses=AttributedSalesSerializer)
    def get(self, request, pk: int):
        anchor = get_object_or_404(AnchorAccount, pk=pk)
        return _key_sales(
            request, dimension="anchor", pair=sel.ANCHOR_PRODUCT, pk=anchor.pk, name=str(anchor)
        )


class ProductSales(APIView):
    """A library product's attributed sales in the visible shops: total, by day, by shop."""

    capability = "commerce.view"
    duties = ("LC-4", "EC-5")
    feature = gettext_noop("Product sales API")

    @extend_schema(parameters=_RANGE_PARAMS, responses=AttributedSalesSerializer)
    def get(self, request, pk: int):
        product = sel.product_for_sales(access=request.access, pk=pk)
        if product is None:
            raise NotFound
        return _key_sales(
            request, dimension="product", pair=sel.PRODUCT_ANCHOR, pk=product.pk, name=product.title
        )


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", _ID_MAX)
        super().__init__(*args, **kwargs)


class BoundedDateFilter(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", sel.DATE_BOUNDS)
        super().__init__(*args, **kwargs)


class OrderFilter(django_filters.FilterSet):
    shop = IdFilter(field_name="shop_id", label="shop id")
    order_no = django_filters.CharFilter(field_name="order_no", max_length=40)
    sub_order_no = django_filters.CharFilter(method="filter_sub_order", max_length=40)
    status = django_filters.ChoiceFilter(choices=LineStatus.choices, method="filter_status")
    aftersale = django_filters.ChoiceFilter(
        choices=[(order_sel.AFTERSALE_ANY, "any"), *AfterSaleState.choices], method="filter_aftersale"
    )
    paid_from = BoundedDateFilter(method="filter_paid_from", label="paid on or after (Asia/Shanghai day)")
    paid_to = BoundedDateFilter(method="filter_paid_to", label="paid on or before (Asia/Shanghai day)")

    class Meta:
        model = Order
        fields = ["shop", "order_no"]

    def filter_sub_order(self, qs, name, value):
        # The shops bound the lookup to the (shop, sub-order) unique index.
        shops = shop_ids_visible(access=self.request.access)
        return qs.filter(
            pk__in=OrderLine.objects.filter(shop_id__in=shops, sub_order_no=value).values("order_id")
        )

    def filter_status(self, qs, name, value):
        return order_sel.filter_lines(qs, status=value)

    def filter_aftersale(self, qs, name, value):
        return order_sel.filter_lines(qs, aftersale=value)

    def filter_paid_from(self, qs, name, value):
        return qs.filter(paid_at__gte=order_sel.local_midnight(value))

    def filter_paid_to(self, qs, name, value):
        return qs.filter(paid_at__lt=order_sel.local_midnight(value + dt.timedelta(days=1)))


class OrderList(generics.ListAPIView):
    """Orders of the visible shops, newest first (keyset pagination, never a count), buyers masked.
    ``status`` and ``aftersale`` keep orders with at least one such line."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Orders API")
    queryset = Order.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = OrderMaskedSerializer
    filterset_class = OrderFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return order_sel.orders_visible(access=self.request.access).select_related("shop").order_by("-id")

    def paginate_queryset(self, queryset):
        # One (shop, id) index range per visible shop, merged: ``shop_id IN (…) ORDER BY id`` made
        # the database sort every order of the visible shops for each page.
        shop_ids = shop_ids_visible(access=self.request.access)
        shop = self.request.query_params.get("shop", "")
        if shop.isascii() and shop.isdigit():
            shop_ids = [s for s in shop_ids if s == int(shop)]
        return super().paginate_queryset(order_sel.OrdersByShop(queryset, shop_ids))


class OrderDetail(generics.RetrieveAPIView):
    """One order with its lines: amounts, statuses, attribution (anchor, product, SKU, merchant,
    live session), refunds and fees. Buyer masked."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Orders API")
    queryset = Order.objects.none()
    serializer_class = OrderMaskedDetailSerializer

    def get_queryset(self):
        return order_sel.orders_visible(access=self.request.access).select_related("shop")


class OrderContact(APIView):
    """The buyer's name, phone and address in clear, for ``commerce.view_personal`` over the shop's
    department. Every call is written to the audit log. Values the platform encrypted stay as they
    are, flagged ``platform_encrypted``."""

    capability = "commerce.view"
    write_capability = "commerce.view_personal"
    duties = ("EC-1",)
    feature = gettext_noop("Reveal a buyer's contact (logged)")

    @extend_schema(request=None, responses=BuyerContactSerializer)
    def post(self, request, pk: int):
        order = order_sel.order_get(access=request.access, pk=pk)
        if order is None:
            raise Http404
        contact = order_contact_reveal(actor=request.user, access=request.access, order=order)
        return Response(BuyerContactSerializer(contact).data)
