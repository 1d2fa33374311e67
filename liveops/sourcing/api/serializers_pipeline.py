"""Serializers of the deals, samples, pipeline and selection-meeting API."""

from __future__ import annotations

from rest_framework import serializers

from liveops.sourcing.models import Contract, Deal, PipelineStage, Sample, SelectionMeeting, SelectionReview

_MONEY = {"max_digits": 15, "decimal_places": 2, "min_value": 0}


# Read-only status and stage fields are plain strings (values listed in help_text): the enums are
# documented once, on the input fields, so drf-spectacular names each choice set once.


class ContractSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft | sent | signed | cancelled")

    class Meta:
        model = Contract
        fields = ["id", "number", "status", "signed_on"]


class DealSerializer(serializers.ModelSerializer):
    product_title = serializers.CharField(source="product.title", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, default=None, allow_null=True
    )
    contracts = ContractSerializer(many=True, read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="draft | pending | approved | rejected | superseded"
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "product",
            "product_title",
            "merchant",
            "merchant_name",
            "version",
            "live_price",
            "regular_price",
            "commission_rate",
            "slot_fee",
            "guaranteed_stock",
            "exclusive",
            "valid_from",
            "valid_to",
            "gifts",
            "status",
            "approved_by",
            "approved_at",
            "created_at",
            "contracts",
        ]


class DealTermsSerializer(serializers.Serializer):
    live_price = serializers.DecimalField(**_MONEY)
    regular_price = serializers.DecimalField(**_MONEY)
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    slot_fee = serializers.DecimalField(**_MONEY, default=0)
    guaranteed_stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, default=0)
    exclusive = serializers.BooleanField(default=False)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    gifts = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DealCreateSerializer(DealTermsSerializer):
    product = serializers.IntegerField(min_value=1, help_text="Product id")


class DealRevisionSerializer(serializers.Serializer):
    """Only the terms that change; the rest is copied from the revised version."""

    live_price = serializers.DecimalField(**_MONEY, required=False)
    regular_price = serializers.DecimalField(**_MONEY, required=False)
    commission_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, required=False
    )
    slot_fee = serializers.DecimalField(**_MONEY, required=False)
    guaranteed_stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    exclusive = serializers.BooleanField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    gifts = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class SampleSerializer(serializers.ModelSerializer):
    product_title = serializers.CharField(source="product.title", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True, default=None, allow_null=True)
    cost = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text="received | in_qc | in_live_room | returned | consumed | lost"
    )

    class Meta:
        model = Sample
        fields = [
            "id",
            "product",
            "product_title",
            "merchant",
            "merchant_name",
            "quantity",
            "unit_cost",
            "cost",
            "must_return",
            "return_due",
            "holder",
            "holder_name",
            "location",
            "status",
            "return_tracking_no",
            "received_on",
        ]

    def get_cost(self, obj) -> str:
        from liveops.sourcing.services.samples import sample_cost

        return str(sample_cost(obj))


class SampleCreateSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_cost = serializers.DecimalField(**_MONEY, default=0)
    must_return = serializers.BooleanField(default=False)
    return_due = serializers.DateField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class SampleStatusSerializer(serializers.Serializer):
    status = serializers.RegexField(
        rf"^({'|'.join(Sample.Status.values)})$", help_text=" | ".join(Sample.Status.values)
    )
    tracking_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CostByMerchantSerializer(serializers.Serializer):
    merchant_id = serializers.IntegerField()
    merchant = serializers.CharField()
    samples = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=20, decimal_places=2)


class CostByProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    product = serializers.CharField()
    merchant = serializers.CharField()
    samples = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=20, decimal_places=2)


class SampleCostsSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    by_merchant = CostByMerchantSerializer(many=True)
    by_product = CostByProductSerializer(many=True)


class BoardCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.id")
    title = serializers.CharField(source="product.title")
    merchant = serializers.CharField(source="product.merchant.name")
    score = serializers.DecimalField(source="product.score", max_digits=4, decimal_places=2, allow_null=True)
    stage_entered_at = serializers.DateTimeField(source="product.stage_entered_at")
    days_in_stage = serializers.IntegerField()


_STAGES_HELP = " | ".join(PipelineStage.values)


class BoardColumnSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text=_STAGES_HELP)
    label = serializers.CharField()
    count = serializers.IntegerField()
    cards = BoardCardSerializer(many=True)


class MoveSerializer(serializers.Serializer):
    # A pattern, not an enum: the product library documents the stage enum (one name per choice set).
    to_stage = serializers.RegexField(rf"^({'|'.join(PipelineStage.values)})$", help_text=_STAGES_HELP)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ProductStageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField(help_text=_STAGES_HELP)
    stage_entered_at = serializers.DateTimeField()
    reject_reason = serializers.CharField()
    available_for_lineup = serializers.BooleanField()


class SelectionMeetingSerializer(serializers.ModelSerializer):
    chair = serializers.CharField(source="chair.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = SelectionMeeting
        fields = ["id", "title", "held_at", "chair"]


class SelectionMeetingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    held_at = serializers.DateTimeField()


class SelectionReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    vote = serializers.CharField(read_only=True, help_text="approve | reject")

    class Meta:
        model = SelectionReview
        fields = [
            "id",
            "meeting",
            "product",
            "reviewer",
            "score_quality",
            "score_price",
            "score_demand",
            "vote",
            "comment",
        ]


class SelectionReviewCreateSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    score_quality = serializers.IntegerField(min_value=1, max_value=5)
    score_price = serializers.IntegerField(min_value=1, max_value=5)
    score_demand = serializers.IntegerField(min_value=1, max_value=5)
    vote = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SelectionDecisionSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    decision = serializers.RegexField(r"^(approve|reject)$", help_text="approve | reject")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeetingProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.id")
    title = serializers.CharField(source="product.title")
    stage = serializers.CharField(source="product.stage", help_text=_STAGES_HELP)
    score = serializers.DecimalField(source="product.score", max_digits=4, decimal_places=2, allow_null=True)
    avg_quality = serializers.FloatField(allow_null=True)
    avg_price = serializers.FloatField(allow_null=True)
    avg_demand = serializers.FloatField(allow_null=True)
    votes_approve = serializers.IntegerField()
    votes_reject = serializers.IntegerField()
    reviews = SelectionReviewSerializer(many=True)


class SelectionMeetingDetailSerializer(serializers.Serializer):
    meeting = SelectionMeetingSerializer()
    products = MeetingProductSerializer(many=True)
