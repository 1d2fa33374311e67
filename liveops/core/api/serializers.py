from rest_framework import serializers

from liveops.core.masking import personal_scrub
from liveops.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    """One audit line. Personal fields never appear in clear: the log stores a keyed digest of them
    (``{"personal_digest": "…"}``), enough to tell that a value changed; the output is scrubbed again
    in case a line was written around the model."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["changes"] = personal_scrub(instance.object_type, data.get("changes"))
        return data

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
        extra_kwargs = {
            "changes": {
                "help_text": "What changed: `before`/`after` objects of field → value (only the changed "
                "fields for an update), or the details of a named event. A personal field (phone, ID "
                'number, address, buyer contact…) holds `{"personal_digest": "<16 hex>"}` instead of its '
                "value: equal digests mean equal values."
            }
        }


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    language = serializers.CharField()
    capabilities = serializers.DictField(
        child=serializers.CharField(), help_text="capability → widest data scope"
    )
