from rest_framework import serializers

from liveops.quality.models import (
    Block,
    CorrectiveAction,
    Defect,
    Inspection,
    InspectionItemResult,
    Scorecard,
)
from liveops.sourcing.models import Merchant, Product


class InspectionItemResultSerializer(serializers.ModelSerializer):
    check = serializers.CharField(source="item.text", read_only=True)
    is_critical = serializers.BooleanField(source="item.is_critical", read_only=True)
    photo = serializers.SerializerMethodField()

    class Meta:
        model = InspectionItemResult
        fields = ["item", "check", "is_critical", "passed", "note", "photo"]

    def get_photo(self, obj) -> str:
        return obj.photo.name or ""


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection with its result (pending / passed / failed)."""

    merchant = serializers.IntegerField(source="product.merchant_id", read_only=True)
    checklist_version = serializers.IntegerField(source="checklist.version", read_only=True)
    inspector = serializers.CharField(source="inspector.get_username", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="sample | inbound")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "product",
            "merchant",
            "sample",
            "batch_no",
            "checklist",
            "checklist_version",
            "inspector",
            "inspected_at",
            "result",
            "notes",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    items = InspectionItemResultSerializer(source="item_results", many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "items"]


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True, default=None, allow_null=True)
    # Plain string (not an enum) so the schema does not get two different "kind" enums.
    kind = serializers.CharField(read_only=True, help_text="corrective | preventive")

    class Meta:
        model = CorrectiveAction
        fields = ["id", "kind", "action", "owner", "due_on", "status", "follow_up"]


class DefectSerializer(serializers.ModelSerializer):
    actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta:
        model = Defect
        fields = [
            "id",
            "product",
            "merchant",
            "inspection",
            "severity",
            "description",
            "status",
            "found_on",
            "closed_on",
            "actions",
        ]


class DefectWriteSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    severity = serializers.ChoiceField(choices=Defect.Severity.choices)
    description = serializers.CharField(max_length=4000)


class BlockSerializer(serializers.ModelSerializer):
    is_active = serializers.SerializerMethodField()
    blocked_by = serializers.CharField(source="blocked_by.get_username", read_only=True)
    lifted_by = serializers.CharField(
        source="lifted_by.get_username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Block
        fields = [
            "id",
            "merchant",
            "product",
            "reason",
            "is_active",
            "blocked_by",
            "blocked_at",
            "lifted_at",
            "lifted_by",
            "lift_reason",
        ]

    def get_is_active(self, obj) -> bool:
        return obj.lifted_at is None


class BlockWriteSerializer(serializers.Serializer):
    """Give exactly one of ``merchant`` and ``product``."""

    merchant = serializers.PrimaryKeyRelatedField(
        queryset=Merchant.objects.all(), required=False, allow_null=True, default=None
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(max_length=4000)

    def validate(self, attrs):
        if (attrs.get("merchant") is None) == (attrs.get("product") is None):
            raise serializers.ValidationError({"merchant": ["Give exactly one of merchant and product."]})
        return attrs


class BlockLiftSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ScorecardSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "merchant",
            "merchant_name",
            "period",
            "quality",
            "compliance",
            "after_sales",
            "delivery",
            "total",
            "flagged",
            "details",
            "computed_at",
        ]
