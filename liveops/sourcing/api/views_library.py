"""Merchant and product library API. Thin: selectors for reads, services for writes; keyset
pagination (no ``COUNT(*)``); contacts masked unless ``sourcing.view_personal`` reaches the merchant."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.core.audit import audit_log
from liveops.core.models import AuditAction
from liveops.sourcing.api import serializers_library as s
from liveops.sourcing.models import Category, Credential, Merchant, Product
from liveops.sourcing.selectors import credentials as cred_sel
from liveops.sourcing.selectors import merchants as merchant_sel
from liveops.sourcing.selectors import products as product_sel
from liveops.sourcing.services import credentials as cred_svc
from liveops.sourcing.services import merchants as merchant_svc

Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="Search text")


def _log_unmasked(request, merchants) -> set[int]:
    """Merchant ids whose contacts this caller sees in clear; the view is logged when any has data."""
    access = request.access
    unmasked = {m.pk for m in merchants if merchant_sel.can_see_personal(access=access, merchant=m)}
    shown = [
        m.pk for m in merchants if m.pk in unmasked and any(c.phone or c.wechat for c in m.contacts.all())
    ]
    if shown:
        audit_log(
            actor=request.user,
            action=AuditAction.VIEW_PERSONAL,
            object_type_label="sourcing.merchant",
            object_id=str(shown[0]) if len(shown) == 1 else "",
            object_repr="api merchant contacts",
            changes={"merchant_ids": sorted(shown)},
        )
    return unmasked


class MerchantListCreate(generics.ListCreateAPIView):
    """Merchants in the caller's scope (``?q=`` name, pinyin, initials or credit code). POST adds one:
    an exact duplicate (credit code or normalised name) is refused with 409; near-duplicates are
    listed in ``similar`` of the answer."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    duties = ("MR-1", "MR-4")
    feature = gettext_noop("Merchants API")
    queryset = Merchant.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.MerchantSerializer
    filterset_fields = ["kind", "level", "status", "uscc"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        return (
            merchant_sel.merchant_list(
                access=self.request.access, search=self.request.query_params.get("q", "")
            )
            .prefetch_related("categories", "contacts")
            .order_by("-id")
        )

    @extend_schema(parameters=[Q_PARAM])
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        unmasked = _log_unmasked(request, page)
        return self.get_paginated_response(
            s.MerchantSerializer(page, many=True, context={"unmasked_ids": unmasked}).data
        )

    @extend_schema(request=s.MerchantWriteSerializer, responses={201: s.MerchantCreatedSerializer})
    def post(self, request, *args, **kwargs):
        ser = s.MerchantWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        merchant = merchant_svc.merchant_create(actor=request.user, **ser.validated_data)
        similar = [
            {"id": x.merchant.pk, "name": x.merchant.name}
            for x in merchant_svc.merchant_similar(name=merchant.name, exclude_pk=merchant.pk)
        ]
        data = s.MerchantCreatedSerializer(merchant, context={"unmasked_ids": set(), "similar": similar}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MerchantDetail(APIView):
    """One merchant with its contacts (masked unless allowed; an unmasked view is logged). PATCH
    changes the fields sent."""

    capability = "sourcing.view"
    write_capability = "sourcing.change"
    duties = ("MR-1",)
    feature = gettext_noop("Merchants API")

    def _get(self, request, pk: int) -> Merchant:
        merchant = merchant_sel.merchant_get(access=request.access, pk=pk)
        if merchant is None:
            raise Http404
        return merchant

    @extend_schema(responses=s.MerchantSerializer)
    def get(self, request, pk: int):
        merchant = self._get(request, pk)
        unmasked = _log_unmasked(request, [merchant])
        return Response(s.MerchantSerializer(merchant, context={"unmasked_ids": unmasked}).data)

    @extend_schema(request=s.MerchantUpdateSerializer, responses=s.MerchantSerializer)
    def patch(self, request, pk: int):
        merchant = self._get(request, pk)
        ser = s.MerchantUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        merchant = merchant_svc.merchant_update(
            actor=request.user, merchant=merchant, data=dict(ser.validated_data)
        )
        merchant = self._get(request, merchant.pk)
        return Response(s.MerchantSerializer(merchant, context={"unmasked_ids": set()}).data)


class ProductList(generics.ListAPIView):
    """Products in the caller's scope, newest first, keyset-paginated. ``?q=`` searches the title
    (contains), pinyin initials or pinyin (prefix), and the barcode or merchant code (exact)."""

    capability = "sourcing.view"
    duties = ("MR-2", "MR-4")
    feature = gettext_noop("Products API")
    queryset = Product.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.ProductSerializer
    filterset_fields = ["stage", "merchant", "category__code", "brand"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        # The filters go into the selector, not only into the filter backend: a search is bounded to
        # the newest matches, so filtering afterwards would cut the results short.
        params = self.request.query_params

        def as_int(name: str) -> int | None:
            value = params.get(name, "")
            return int(value) if value.isdigit() and len(value) < 19 else None

        return product_sel.product_list(
            access=self.request.access,
            q=params.get("q", ""),
            merchant_id=as_int("merchant"),
            category=params.get("category__code", ""),
            stage=params.get("stage", ""),
            brand_id=as_int("brand"),
        )

    @extend_schema(parameters=[Q_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductDetail(generics.RetrieveAPIView):
    """One product with its SKUs and price history."""

    capability = "sourcing.view"
    duties = ("MR-2", "MC-3")
    feature = gettext_noop("Products API")
    queryset = Product.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.ProductDetailSerializer

    def get_queryset(self):
        return product_sel.product_list(access=self.request.access).prefetch_related("skus", "prices")


class CredentialList(generics.ListAPIView):
    """Credentials in the caller's scope; ``?expiring=30`` lists those expired or expiring within 30
    days, soonest first."""

    capability = "sourcing.view"
    duties = ("QC-3",)
    feature = gettext_noop("Credentials API")
    queryset = Credential.objects.none()  # model for the schema; rows come from get_queryset (scoped)
    serializer_class = s.CredentialSerializer
    filterset_fields = ["merchant", "kind", "verification"]
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):
        expiring = self.request.query_params.get("expiring", "")
        if expiring.isdigit() and int(expiring) <= 3660:
            return cred_sel.credential_expiring(access=self.request.access, within_days=int(expiring))
        return cred_sel.credential_list(access=self.request.access)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "expiring", OpenApiTypes.INT, description="Expired or expiring within this many days"
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CredentialVerify(APIView):
    """QC's verdict on a credential: verified, or rejected with a note (``quality.change``)."""

    capability = "sourcing.view"
    write_capability = "quality.change"
    duties = ("QC-3",)
    feature = gettext_noop("Credentials API")

    @extend_schema(request=s.CredentialVerifySerializer, responses=s.CredentialSerializer)
    def post(self, request, pk: int):
        credential = cred_sel.credential_get(access=request.access, pk=pk)
        if credential is None:
            raise Http404
        ser = s.CredentialVerifySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        credential = cred_svc.credential_verify(
            actor=request.user, credential=credential, **ser.validated_data
        )
        return Response(s.CredentialSerializer(credential).data)


class CategoryList(generics.ListAPIView):
    """The category tree with each category's standards (GB numbers) and required credential kinds."""

    capability = "sourcing.view"
    duties = ("MC-4",)
    feature = gettext_noop("Categories API")
    queryset = Category.objects.none()  # model for the schema; rows come from get_queryset
    serializer_class = s.CategorySerializer
    pagination_class = None
    filterset_fields = ["code", "parent__code"]
    ordering_fields = ["code"]
    ordering = ["code"]

    def get_queryset(self):
        if not self.request.access.can("sourcing.view"):
            return Category.objects.none()
        return Category.objects.select_related("parent").order_by("code")
