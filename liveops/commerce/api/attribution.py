"""Attribution API: the unmatched queue and the product mappings (EC-1). Thin: selectors and services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from liveops.commerce.models import AttributionRule, Platform
from liveops.commerce.selectors.attribution import rule_list, unmatched_queue
from liveops.commerce.services.attribution import attribution_rule_create
from liveops.core.errors import DomainError
from liveops.sourcing.models import Product, Sku


class UnmatchedKeySerializer(serializers.Serializer):
    platform = serializers.CharField()
    platform_product_id = serializers.CharField()
    merchant_code = serializers.CharField()
    title = serializers.CharField()
    lines = serializers.IntegerField()
    gmv_fen = serializers.IntegerField()


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributionRule
        fields = ["id", "platform", "key_kind", "key_value", "product", "sku", "created_at"]
        read_only_fields = fields


class RuleWriteSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    key_kind = serializers.ChoiceField(choices=AttributionRule.KeyKind.choices)
    key_value = serializers.CharField(max_length=60)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    sku = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all(), required=False, allow_null=True)


class RuleCreatedSerializer(serializers.Serializer):
    rule = RuleSerializer()
    lines_matched = serializers.IntegerField()


class UnmatchedList(APIView):
    """Keys (platform product ID, 商家编码) of order lines no library product matched, biggest first."""

    capability = "commerce.view"
    duties = ("EC-1",)
    feature = gettext_noop("Unmatched order lines API")

    @extend_schema(responses=UnmatchedKeySerializer(many=True))
    def get(self, request):
        rows = unmatched_queue(access=request.access)
        return Response(UnmatchedKeySerializer([r.__dict__ for r in rows], many=True).data)


class RuleListCreate(generics.ListCreateAPIView):
    """Product mappings. POST maps a key to a library product and applies it to every past line."""

    capability = "commerce.view"
    write_capability = "commerce.change"
    duties = ("EC-1",)
    feature = gettext_noop("Product mappings API")
    queryset = AttributionRule.objects.none()
    serializer_class = RuleSerializer
    ordering = ["-id"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return rule_list(access=self.request.access)

    @extend_schema(request=RuleWriteSerializer, responses={201: RuleCreatedSerializer})
    def post(self, request, *args, **kwargs):
        ser = RuleWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if data.get("sku") is not None and data["sku"].product_id != data["product"].pk:
            raise DomainError(
                _("This SKU belongs to another product."), fields={"sku": [_("Wrong product.")]}
            )
        rule, matched = attribution_rule_create(actor=request.user, **data)
        return Response(
            RuleCreatedSerializer({"rule": rule, "lines_matched": matched}).data,
            status=status.HTTP_201_CREATED,
        )
