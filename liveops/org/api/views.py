"""Org and governance API. Thin: selectors for reads, services for writes."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.core.audit import audit_log
from liveops.core.models import AuditAction
from liveops.org import selectors, services
from liveops.org.api import serializers as s
from liveops.org.models import ActionItem, Department, Meeting, Plan, Resolution, Staff


class NoPagination(CursorPagination):
    page_size = 1000


class DepartmentList(generics.ListAPIView):
    """The org tree as a flat list (each unit names its parent), with headcount and duty IDs."""

    capability = "org.view"
    duties = ("HR-1", "GOV-BD-5")
    feature = gettext_noop("Departments API")
    queryset = Department.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.DepartmentSerializer
    pagination_class = None
    filterset_fields = ["kind", "code"]
    ordering_fields = ["sort_order", "code"]
    ordering = ["sort_order"]

    def get_queryset(self):
        return selectors.department_list(access=self.request.access).prefetch_related("duties")


class DutyList(APIView):
    """Every duty ID of the duty map with its department, whether it is covered and by which features."""

    capability = "authenticated"

    @extend_schema(responses=s.DutyCoverageSerializer(many=True))
    def get(self, request):
        from liveops.core.selectors import duty_coverage

        rows = duty_coverage()
        return Response(
            [
                {
                    "id": r["id"],
                    "title": r["title"],
                    "department": r["department"],
                    "covered": r["covered"],
                    "features": r["features"],
                }
                for r in rows
            ]
        )


class StaffListCreate(generics.ListCreateAPIView):
    """Staff in the caller's scope; personal fields masked unless allowed. POST hires a person."""

    capability = "org.view"
    write_capability = "org.change"
    duties = ("HR-1",)
    feature = gettext_noop("Staff API")
    queryset = Staff.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.StaffSerializer
    filterset_fields = ["department__code", "is_active", "employee_no"]
    ordering_fields = ["id", "employee_no"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.staff_list(access=self.request.access, search=self.request.query_params.get("q", ""))

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["unmasked_ids"] = getattr(self, "_unmasked", set())
        return ctx

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        access = request.access
        self._unmasked = {st.pk for st in page if selectors.can_see_personal(access=access, staff=st)}
        if self._unmasked:
            audit_log(
                actor=request.user,
                action=AuditAction.VIEW_PERSONAL,
                object_type_label="org.staff",
                object_repr="api staff list",
                changes={"ids": sorted(self._unmasked)},
            )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.StaffWriteSerializer, responses={201: s.StaffSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.StaffWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        staff = services.staff_create(actor=request.user, **ser.validated_data)
        return Response(
            s.StaffSerializer(staff, context={"unmasked_ids": set()}).data, status=status.HTTP_201_CREATED
        )


class StaffDetail(generics.RetrieveAPIView):
    """One staff record; personal fields unmasked (and the view logged) only for allowed callers."""

    capability = "org.view"
    duties = ("HR-1",)
    feature = gettext_noop("Staff API")
    queryset = Staff.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.StaffSerializer

    def get_queryset(self):
        return selectors.staff_list(access=self.request.access, include_inactive=True)

    def retrieve(self, request, *args, **kwargs):
        staff = self.get_object()
        unmasked = set()
        if selectors.can_see_personal(access=request.access, staff=staff):
            unmasked = {staff.pk}
            audit_log(actor=request.user, action=AuditAction.VIEW_PERSONAL, instance=staff)
        return Response(s.StaffSerializer(staff, context={"unmasked_ids": unmasked}).data)


class MeetingList(generics.ListAPIView):
    """Meetings of the shareholders' meeting, the board and the supervisory board."""

    capability = "governance.view"
    duties = ("GOV-SH-1", "GOV-BD-1", "GOV-SV-5")
    feature = gettext_noop("Governance meetings API")
    queryset = Meeting.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.MeetingSerializer
    filterset_fields = ["meeting_type", "body__kind"]
    ordering_fields = ["id", "held_at"]
    ordering = ["-held_at", "-id"]

    def get_queryset(self):
        return selectors.meeting_list(access=self.request.access)


class ResolutionList(generics.ListAPIView):
    """Proposals and resolutions with votes and outcome."""

    capability = "governance.view"
    duties = ("GOV-SH-1", "GOV-SH-3", "GOV-SH-4", "GOV-BD-2", "GOV-BD-3", "GOV-BD-4", "GOV-SV-1")
    feature = gettext_noop("Resolutions API")
    queryset = Resolution.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.ResolutionSerializer
    filterset_fields = ["outcome", "topic", "number"]
    ordering_fields = ["id", "number"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.resolution_list(access=self.request.access)


class ActionItemList(generics.ListAPIView):
    """Action items from resolutions; ``?overdue=1`` lists only overdue ones."""

    capability = "authenticated"
    duties = ("GOV-CH-3", "GM-2")
    feature = gettext_noop("Resolution follow-up API")
    queryset = ActionItem.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.ActionItemSerializer
    filterset_fields = ["status", "department__code"]
    ordering_fields = ["id", "due_on"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        return selectors.action_item_list(
            access=self.request.access, overdue_only=self.request.query_params.get("overdue") in ("1", "true")
        )


class ActionItemStatus(APIView):
    """Move an action item to a new status (owner or governance staff)."""

    capability = "authenticated"
    write_capability = "authenticated"
    duties = ("GOV-CH-3", "GM-2")
    feature = gettext_noop("Resolution follow-up API")

    @extend_schema(request=s.ActionStatusSerializer, responses=s.ActionItemSerializer)
    def post(self, request, pk: int):
        item = selectors.action_item_list(access=request.access).filter(pk=pk).first()
        if item is None:
            from django.http import Http404

            raise Http404
        ser = s.ActionStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        item = services.action_item_set_status(actor=request.user, item=item, **ser.validated_data)
        return Response(s.ActionItemSerializer(item).data)


class PlanList(generics.ListAPIView):
    """Annual plans, budgets and targets with their board approval state."""

    capability = "governance.view"
    duties = ("GM-3", "GOV-BD-3", "GOV-CH-5")
    feature = gettext_noop("Plans API")
    queryset = Plan.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.PlanSerializer
    filterset_fields = ["kind", "year", "status"]
    ordering_fields = ["id", "year"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.plan_list(access=self.request.access)
