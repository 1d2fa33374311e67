"""API of deals (MC-5), the samples ledger, the selection pipeline (MR-5) and selection meetings
(MC-2). Thin: selectors read, services write, errors in the common ``{code, message, fields}`` form."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.sourcing.api import serializers_pipeline as s
from liveops.sourcing.models import Deal, Sample, SelectionMeeting
from liveops.sourcing.selectors import deals as deal_sel
from liveops.sourcing.selectors import pipeline as pipe_sel
from liveops.sourcing.selectors import samples as sample_sel
from liveops.sourcing.services import deals as deal_svc
from liveops.sourcing.services import pipeline as pipe_svc
from liveops.sourcing.services import samples as sample_svc


def _product(request, pk: int):
    product = pipe_sel.product_get(access=request.access, pk=pk)
    if product is None:
        raise Http404
    return product


# Deals -----------------------------------------------------------------------------------------


class DealListCreate(generics.ListCreateAPIView):
    """Deals in the caller's scope, newest first; POST records terms for a product as a draft."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    duties = ("MC-5", "MR-5")
    feature = gettext_noop("Deals API")
    queryset = Deal.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.DealSerializer
    filterset_fields = ["status", "product", "merchant"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return deal_sel.deal_list(access=self.request.access).prefetch_related("contracts")

    @extend_schema(request=s.DealCreateSerializer, responses={201: s.DealSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.DealCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        product = _product(request, data.pop("product"))
        deal = deal_svc.deal_create(actor=request.user, product=product, **data)
        return Response(s.DealSerializer(deal).data, status=status.HTTP_201_CREATED)


class DealDetail(generics.RetrieveAPIView):
    """One deal version with its contracts."""

    capability = "sourcing.view"
    duties = ("MC-5",)
    feature = gettext_noop("Deals API")
    queryset = Deal.objects.none()
    serializer_class = s.DealSerializer

    def get_queryset(self):
        return deal_sel.deal_list(access=self.request.access).prefetch_related("contracts")


class _DealAction(APIView):
    capability = "sourcing.view"
    duties = ("MC-5",)
    feature = gettext_noop("Deals API")

    def deal(self, request, pk: int) -> Deal:
        deal = deal_sel.deal_get(access=request.access, pk=pk)
        if deal is None:
            raise Http404
        return deal


class DealSubmit(_DealAction):
    """Send a draft for approval."""

    write_capability = "sourcing.change"

    @extend_schema(request=None, responses=s.DealSerializer)
    def post(self, request, pk: int):
        return Response(
            s.DealSerializer(deal_svc.deal_submit(actor=request.user, deal=self.deal(request, pk))).data
        )


class DealApprove(_DealAction):
    """A manager approves the terms; the version approved so far becomes superseded."""

    write_capability = "sourcing.approve"

    @extend_schema(request=None, responses=s.DealSerializer)
    def post(self, request, pk: int):
        return Response(
            s.DealSerializer(deal_svc.deal_approve(actor=request.user, deal=self.deal(request, pk))).data
        )


class DealReject(_DealAction):
    """A manager sends the terms back with a reason."""

    write_capability = "sourcing.approve"

    @extend_schema(request=s.ReasonSerializer, responses=s.DealSerializer)
    def post(self, request, pk: int):
        ser = s.ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        deal = deal_svc.deal_reject(
            actor=request.user, deal=self.deal(request, pk), reason=ser.validated_data["reason"]
        )
        return Response(s.DealSerializer(deal).data)


class DealRevise(_DealAction):
    """Change approved terms: creates a new version waiting for approval."""

    write_capability = "sourcing.change"

    @extend_schema(request=s.DealRevisionSerializer, responses={201: s.DealSerializer})
    def post(self, request, pk: int):
        ser = s.DealRevisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        deal = deal_svc.deal_revise(
            actor=request.user, deal=self.deal(request, pk), changes=dict(ser.validated_data)
        )
        return Response(s.DealSerializer(deal).data, status=status.HTTP_201_CREATED)


# Samples ---------------------------------------------------------------------------------------


class SampleListCreate(generics.ListCreateAPIView):
    """The samples ledger in the caller's scope; POST records a receipt."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    feature = gettext_noop("Samples API")
    queryset = Sample.objects.none()
    serializer_class = s.SampleSerializer
    filterset_fields = ["status", "product", "merchant", "must_return"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return sample_sel.sample_list(access=self.request.access)

    @extend_schema(request=s.SampleCreateSerializer, responses={201: s.SampleSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.SampleCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        product = _product(request, data.pop("product"))
        sample = sample_svc.sample_record(actor=request.user, product=product, **data)
        return Response(s.SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleOverdue(generics.ListAPIView):
    """Samples past their return date and still with us."""

    capability = "sourcing.view"
    feature = gettext_noop("Samples API")
    queryset = Sample.objects.none()
    serializer_class = s.SampleSerializer
    pagination_class = None

    def get_queryset(self):
        return sample_sel.sample_overdue_list(access=self.request.access)[:1000]


class SampleStatus(APIView):
    """Move a sample: received → in QC → in a live room → returned (tracking number) / consumed / lost."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    feature = gettext_noop("Samples API")

    @extend_schema(request=s.SampleStatusSerializer, responses=s.SampleSerializer)
    def post(self, request, pk: int):
        sample = sample_sel.sample_get(access=request.access, pk=pk)
        if sample is None:
            raise Http404
        ser = s.SampleStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        sample = sample_svc.sample_set_status(actor=request.user, sample=sample, **ser.validated_data)
        return Response(s.SampleSerializer(sample).data)


class SampleCosts(APIView):
    """Sample cost (quantity × unit cost, CNY) in total, per merchant and per product."""

    capability = "sourcing.view"
    feature = gettext_noop("Samples API")

    @extend_schema(responses=s.SampleCostsSerializer)
    def get(self, request):
        access = request.access
        data = {
            "total": sample_sel.sample_cost_total(access=access),
            "by_merchant": sample_sel.sample_cost_by_merchant(access=access)[:500],
            "by_product": sample_sel.sample_cost_by_product(access=access)[:500],
        }
        return Response(s.SampleCostsSerializer(data).data)


# Pipeline --------------------------------------------------------------------------------------


class PipelineBoard(APIView):
    """Counts per stage (one GROUP BY) and the products longest in each stage."""

    capability = "sourcing.view"
    duties = ("MR-5",)
    feature = gettext_noop("Selection board API")

    @extend_schema(
        parameters=[OpenApiParameter("per_column", int, description="cards per column (1-200, default 50)")],
        responses=s.BoardColumnSerializer(many=True),
    )
    def get(self, request):
        raw = request.query_params.get("per_column", "")
        per_column = min(max(int(raw), 1), 200) if raw.isdigit() else pipe_sel.BOARD_CARDS
        columns = pipe_sel.pipeline_board(access=request.access, per_column=per_column)
        return Response(s.BoardColumnSerializer(columns, many=True).data)


class ProductMove(APIView):
    """Move a product to another pipeline stage (approval only through a selection meeting)."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    duties = ("MR-5",)
    feature = gettext_noop("Selection board API")

    @extend_schema(request=s.MoveSerializer, responses=s.ProductStageSerializer)
    def post(self, request, pk: int):
        ser = s.MoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        product = pipe_svc.pipeline_move(
            actor=request.user, product=_product(request, pk), **ser.validated_data
        )
        return Response(_stage_data(product))


def _stage_data(product) -> dict:
    return s.ProductStageSerializer(
        {
            "id": product.pk,
            "title": product.title,
            "stage": product.stage,
            "stage_entered_at": product.stage_entered_at,
            "reject_reason": product.reject_reason,
            "available_for_lineup": pipe_sel.product_available_for_lineup(product),
        }
    ).data


# Selection meetings ----------------------------------------------------------------------------


class SelectionMeetingListCreate(generics.ListCreateAPIView):
    """Selection meetings (选品会), newest first; POST schedules one."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    duties = ("MC-2", "MR-5")
    feature = gettext_noop("Selection meetings API")
    queryset = SelectionMeeting.objects.none()
    serializer_class = s.SelectionMeetingSerializer
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return pipe_sel.selection_meeting_list(access=self.request.access)

    @extend_schema(request=s.SelectionMeetingCreateSerializer, responses={201: s.SelectionMeetingSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.SelectionMeetingCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        meeting = pipe_svc.selection_meeting_create(actor=request.user, **ser.validated_data)
        return Response(s.SelectionMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class _MeetingView(APIView):
    capability = "sourcing.view"
    duties = ("MC-2", "MR-5")
    feature = gettext_noop("Selection meetings API")

    def meeting(self, request, pk: int) -> SelectionMeeting:
        meeting = pipe_sel.selection_meeting_list(access=request.access).filter(pk=pk).first()
        if meeting is None:
            raise Http404
        return meeting


class SelectionMeetingDetail(_MeetingView):
    """A meeting with its product pool: products, reviewers' scores, averages and votes."""

    @extend_schema(responses=s.SelectionMeetingDetailSerializer)
    def get(self, request, pk: int):
        meeting = self.meeting(request, pk)
        rows = pipe_sel.selection_meeting_products(access=request.access, meeting=meeting)
        return Response(s.SelectionMeetingDetailSerializer({"meeting": meeting, "products": rows}).data)


class SelectionReviewCreate(_MeetingView):
    """The caller scores a product at the meeting and votes (again: replaces their scores)."""

    write_capability = "authenticated"  # recruiters, managers and QC review; the service decides

    @extend_schema(request=s.SelectionReviewCreateSerializer, responses={201: s.SelectionReviewSerializer})
    def post(self, request, pk: int):
        meeting = self.meeting(request, pk)
        ser = s.SelectionReviewCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        product = _product(request, data.pop("product"))
        review = pipe_svc.selection_review_add(actor=request.user, meeting=meeting, product=product, **data)
        return Response(s.SelectionReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class SelectionDecide(_MeetingView):
    """A manager approves (nothing may block it) or rejects (with a reason) a product."""

    write_capability = "sourcing.approve"

    @extend_schema(request=s.SelectionDecisionSerializer, responses=s.ProductStageSerializer)
    def post(self, request, pk: int):
        meeting = self.meeting(request, pk)
        ser = s.SelectionDecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        product = _product(request, data.pop("product"))
        product = pipe_svc.selection_decide(actor=request.user, meeting=meeting, product=product, **data)
        return Response(_stage_data(product))
