"""Serializers of the talent API. The item shape is an interface other tools rely on: ``id``,
``stage_name``, ``broker``, ``status``, ``grade``, ``accounts``, ``gmv_30d``."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from liveops.talent.models import AnchorProfile


class BrokerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AccountSerializer(serializers.Serializer):
    platform = serializers.CharField()
    platform_anchor_id = serializers.CharField()


class AnchorSerializer(serializers.ModelSerializer):
    broker = BrokerSerializer(allow_null=True, read_only=True)
    grade = serializers.SerializerMethodField()
    accounts = AccountSerializer(many=True, read_only=True)
    gmv_30d = serializers.SerializerMethodField()

    class Meta:
        model = AnchorProfile
        fields = ["id", "stage_name", "broker", "status", "grade", "accounts", "gmv_30d"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_grade(self, obj) -> str | None:
        # Grades (S/A/B/C, AC-3) come with the grading rules of the talent issue.
        return None

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_gmv_30d(self, obj) -> str:
        fen = getattr(obj, "gmv_30d_fen", 0) or 0
        return str((Decimal(fen) / 100).quantize(Decimal("0.01")))
