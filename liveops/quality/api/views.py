"""Quality control API. Thin: selectors for reads, services for writes."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import Http404
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.quality import selectors, services
from liveops.quality.api import serializers as s
from liveops.quality.models import Block, Defect, Inspection, Scorecard


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number the database can hold (larger values are a 400, not a driver overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class InspectionFilter(django_filters.FilterSet):
    merchant = IdFilter(field_name="product__merchant_id", label="merchant id")
    product = IdFilter(field_name="product_id", label="product id")

    class Meta:
        model = Inspection
        fields = ["result", "kind", "product", "merchant"]


class InspectionList(generics.ListAPIView):
    """Inspections of samples and inbound batches, newest first; filter by result, kind, product, merchant."""

    capability = "quality.view"
    duties = ("QC-2",)
    feature = gettext_noop("Inspections API")
    queryset = Inspection.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["id", "inspected_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.inspection_list(access=self.request.access)


class InspectionDetail(generics.RetrieveAPIView):
    """One inspection with the pass/fail, note and photo of every checklist item."""

    capability = "quality.view"
    duties = ("QC-2",)
    feature = gettext_noop("Inspections API")
    queryset = Inspection.objects.none()
    serializer_class = s.InspectionDetailSerializer

    def get_queryset(self):
        return selectors.inspection_list(access=self.request.access).prefetch_related("item_results__item")


class DefectFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id", label="product id")
    merchant = IdFilter(field_name="merchant_id", label="merchant id")

    class Meta:
        model = Defect
        fields = ["status", "severity", "product", "merchant"]


class DefectListCreate(generics.ListCreateAPIView):
    """The defect register with each defect's corrective and preventive actions. POST registers a defect."""

    capability = "quality.view"
    write_capability = "quality.change"
    duties = ("QC-2", "QC-4")
    feature = gettext_noop("Defects API")
    queryset = Defect.objects.none()
    serializer_class = s.DefectSerializer
    filterset_class = DefectFilter
    ordering_fields = ["id", "found_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.defect_list(access=self.request.access).prefetch_related("actions__owner")

    @extend_schema(request=s.DefectWriteSerializer, responses={201: s.DefectSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.DefectWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        defect = services.defect_create(actor=request.user, **ser.validated_data)
        return Response(s.DefectSerializer(defect).data, status=status.HTTP_201_CREATED)


class BlockFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id", label="product id")
    merchant = IdFilter(field_name="merchant_id", label="merchant id")

    class Meta:
        model = Block
        fields = ["product", "merchant"]


class ScorecardFilter(django_filters.FilterSet):
    merchant = IdFilter(field_name="merchant_id", label="merchant id")

    class Meta:
        model = Scorecard
        fields = ["period", "flagged", "merchant"]


class BlockList(generics.ListCreateAPIView):
    """The blocklist; ``?active=true`` lists only blocks in force. POST blocks a merchant or a product."""

    capability = "quality.view"
    write_capability = "quality.block"
    duties = ("QC-4",)
    feature = gettext_noop("Blocklist API")
    queryset = Block.objects.none()
    serializer_class = s.BlockSerializer
    filterset_class = BlockFilter
    ordering_fields = ["id", "blocked_at"]
    ordering = ["-id"]

    def get_queryset(self):
        active = {"true": True, "1": True, "false": False, "0": False}.get(
            self.request.query_params.get("active", "").lower()
        )
        return selectors.block_list(access=self.request.access, active=active)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "active", OpenApiTypes.BOOL, description="only blocks in force (true) or lifted (false)"
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.BlockWriteSerializer, responses={201: s.BlockSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.BlockWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if data.get("merchant") is not None:
            block = services.block_merchant(
                actor=request.user, merchant=data["merchant"], reason=data["reason"]
            )
        else:
            block = services.block_product(actor=request.user, product=data["product"], reason=data["reason"])
        return Response(s.BlockSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockLift(APIView):
    """Lift a block: managers only (``quality.approve``: head of QC or of merchant recruitment)."""

    capability = "quality.view"
    write_capability = "quality.approve"
    duties = ("QC-4",)
    feature = gettext_noop("Blocklist API")

    @extend_schema(request=s.BlockLiftSerializer, responses=s.BlockSerializer)
    def post(self, request, pk: int):
        block = selectors.block_get(access=request.access, pk=pk)
        if block is None:
            raise Http404
        ser = s.BlockLiftSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        block = services.block_lift(actor=request.user, block=block, reason=ser.validated_data["reason"])
        return Response(s.BlockSerializer(block).data)


class ScorecardList(generics.ListAPIView):
    """Merchant scorecards; ``?period=YYYY-MM`` for one period. Flagged merchants first."""

    capability = "quality.view"
    duties = ("QC-6",)
    feature = gettext_noop("Merchant scorecards API")
    queryset = Scorecard.objects.none()
    serializer_class = s.ScorecardSerializer
    filterset_class = ScorecardFilter
    ordering_fields = ["id", "total"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.scorecard_list(access=self.request.access)
