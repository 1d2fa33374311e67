"""Serializers of the live API. The session item is an interface other tools rely on: ``id``,
``account``, ``planned_start``, ``planned_end``, ``actual_start``, ``actual_end``, and when known
``gmv``, ``paid_amount``, ``watch_ucnt``, ``watch_cnt``, ``buyers``, ``new_fans``, ``gpm`` (null when
unknown; money as decimal strings)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from liveops.live import metrics
from liveops.live.models import LiveAccount, LiveSession


class AccountRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = LiveAccount
        fields = ["id", "platform", "name", "platform_account_id"]


class SessionSerializer(serializers.ModelSerializer):
    account = AccountRefSerializer(read_only=True)
    gpm = serializers.SerializerMethodField()

    class Meta:
        model = LiveSession
        fields = [
            "id",
            "account",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "gmv",
            "paid_amount",
            "watch_ucnt",
            "watch_cnt",
            "buyers",
            "new_fans",
            "gpm",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_gpm(self, obj) -> str | None:
        value = metrics.gpm(obj.gmv, obj.watch_cnt)
        return None if value is None else str(value)
