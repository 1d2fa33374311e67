from rest_framework import serializers

from liveops.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_label",
            "action",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
        ]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    language = serializers.CharField()
    capabilities = serializers.DictField(
        child=serializers.CharField(), help_text="capability → widest data scope"
    )
