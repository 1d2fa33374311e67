"""After-sales, settlement and refund-rate API (EC-1). Read only: rows arrive through the imports.
Lists are keyset paginated (newest first) and scoped to the shops the caller sees."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.commerce.models import AfterSale, SettlementEntry
from liveops.commerce.selectors import aftersales as sel
from liveops.commerce.selectors.dashboards import DATE_BOUNDS, DATETIME_BOUNDS
from liveops.core.errors import DomainError


class IdFilter(django_filters.NumberFilter):
    """An id the database can hold (larger values are a 400, not a driver overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class AfterSaleSerializer(serializers.ModelSerializer):
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = AfterSale
        fields = [
            "id",
            "shop",
            "shop_name",
            "aftersale_no",
            "order_no",
            "sub_order_no",
            "line",
            "kind",
            "status_text",
            "state",
            "state_label",
            "applied_at",
            "reason",
            "reason_tag",
            "refund_fen",
            "return_tracking_no",
            "return_shipped_at",
            "agreed_at",
            "merchant_refunded_at",
            "buyer_received_at",
            "closed_at",
            "arbitration_status",
            "responsible_party",
            "completed_at",
            "buyer_explanation",
            "note",
        ]
        read_only_fields = fields


class SettlementEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementEntry
        fields = [
            "id",
            "shop",
            "entry_no",
            "occurred_at",
            "direction",
            "amount_fen",
            "account",
            "scene",
            "billing_type",
            "order_no",
            "sub_order_no",
            "line",
            "order_paid_fen",
            "freight_fen",
            "platform_subsidy_fen",
            "refund_fen",
            "platform_fee_fen",
            "commission_fen",
            "merchant_service_fee_fen",
            "promotion_fee_fen",
            "note",
        ]
        read_only_fields = fields


class AfterSaleFilter(django_filters.FilterSet):
    shop = IdFilter(field_name="shop_id", label="shop id")
    line = IdFilter(field_name="line_id", label="order line id")
    applied_from = django_filters.IsoDateTimeFilter(
        field_name="applied_at", lookup_expr="gte", validators=DATETIME_BOUNDS
    )
    applied_to = django_filters.IsoDateTimeFilter(
        field_name="applied_at", lookup_expr="lt", validators=DATETIME_BOUNDS
    )

    class Meta:
        model = AfterSale
        fields = ["shop", "state", "kind", "reason_tag", "aftersale_no", "order_no", "sub_order_no", "line"]


class AfterSaleList(generics.ListAPIView):
    """After-sales cases of the caller's shops, newest first; filter by shop, state (in_progress,
    refunded, closed), type, reason tag, numbers, order line and application time."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("After-sales API")
    queryset = AfterSale.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = AfterSaleSerializer
    filterset_class = AfterSaleFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return sel.aftersales_visible(access=self.request.access).select_related("shop")


class AfterSaleDetail(generics.RetrieveAPIView):
    """One after-sales case."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("After-sales API")
    queryset = AfterSale.objects.none()
    serializer_class = AfterSaleSerializer

    def get_queryset(self):
        return sel.aftersales_visible(access=self.request.access).select_related("shop")


class SettlementFilter(django_filters.FilterSet):
    shop = IdFilter(field_name="shop_id", label="shop id")
    line = IdFilter(field_name="line_id", label="order line id")
    occurred_from = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", validators=DATETIME_BOUNDS
    )
    occurred_to = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", validators=DATETIME_BOUNDS
    )

    class Meta:
        model = SettlementEntry
        fields = ["shop", "direction", "billing_type", "scene", "entry_no", "sub_order_no", "line"]


class SettlementList(generics.ListAPIView):
    """Settlement and fund-movement rows of the caller's shops, newest first. ``amount_fen`` is signed
    (income positive, expenses negative); fee columns are as the export wrote them."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Settlements API")
    queryset = SettlementEntry.objects.none()
    serializer_class = SettlementEntrySerializer
    filterset_class = SettlementFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return sel.settlements_visible(access=self.request.access)


class RefundRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    gmv_fen = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    lines_paid = serializers.IntegerField()
    refund_lines = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    line_rate = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


class RefundRatesQuery(forms.Form):
    dimension = forms.ChoiceField(choices=[(d, d) for d in sel.DIMENSIONS], required=False)
    date_from = forms.DateField(required=False, validators=DATE_BOUNDS)
    date_to = forms.DateField(required=False, validators=DATE_BOUNDS)
    shop = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - dt.timedelta(days=29)
        if data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        elif (data["date_to"] - data["date_from"]).days > 366:
            self.add_error("date_to", _("Choose at most one year."))
        return data


class RefundRates(APIView):
    """Refund rates per shop, merchant or product (``dimension``) over the lines paid from
    ``date_from`` to ``date_to`` (default: the last 30 days), read from the daily rollups:
    ``rate`` = refunded / paid amount in percent, ``line_rate`` = refunded / paid lines. Largest GMV
    first, at most 200 keys."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Refund rates per shop, merchant and product")

    @extend_schema(
        parameters=[
            OpenApiParameter("dimension", OpenApiTypes.STR, enum=list(sel.DIMENSIONS)),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("shop", OpenApiTypes.INT),
        ],
        responses=RefundRateSerializer(many=True),
    )
    def get(self, request):
        q = RefundRatesQuery(request.query_params)
        if not q.is_valid():
            raise DomainError(
                _("Check the parameters."),
                code="invalid",
                fields={k: [str(e) for e in v] for k, v in q.errors.items()},
            )
        d = q.cleaned_data
        rows = sel.refund_rates(
            access=request.access,
            dimension=d.get("dimension") or "merchant",
            date_from=d["date_from"],
            date_to=d["date_to"],
            shop_id=d.get("shop"),
        )
        return Response(RefundRateSerializer(rows, many=True).data)
