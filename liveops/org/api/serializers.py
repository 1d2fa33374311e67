from rest_framework import serializers

from liveops.core.masking import MASKERS
from liveops.org.models import ActionItem, Department, Meeting, Plan, Resolution, Staff


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    headcount = serializers.IntegerField(read_only=True)
    duties = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "code", "kind", "name_zh", "name_en", "parent", "headcount", "duties"]

    def get_duties(self, obj) -> list[str]:
        return [d.code for d in obj.duties.all()]


class DutyCoverageSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    department = serializers.CharField()
    covered = serializers.BooleanField()
    features = serializers.ListField(child=serializers.DictField())


class StaffSerializer(serializers.ModelSerializer):
    """Staff with personal fields masked unless the caller may see them (``org.view_personal`` in scope)."""

    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    position = serializers.CharField(source="position.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "employee_no",
            "name",
            "name_en",
            "department",
            "position",
            "email",
            "phone",
            "id_number",
            "address",
            "hired_on",
            "is_active",
        ]
        read_only_fields = ["id", "position", "is_active"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        unmasked: set[int] = self.context.get("unmasked_ids", set())
        if instance.pk not in unmasked:
            for field in Staff.PERSONAL_FIELDS:
                data[field] = MASKERS[field](data.get(field))
        return data


class StaffWriteSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=60)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True)
    )
    name_en = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^1\d{10}$", required=False, allow_blank=True, default="")
    id_number = serializers.RegexField(r"^\d{17}[\dXx]$", required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    hired_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body.kind", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "body", "meeting_type", "title", "held_at", "location", "agenda"]


class ResolutionSerializer(serializers.ModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Resolution
        fields = [
            "id",
            "number",
            "title",
            "topic",
            "meeting",
            "proposal",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "outcome",
            "decided_at",
        ]


class ActionItemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    resolution = serializers.SlugRelatedField(slug_field="number", read_only=True)
    owner = serializers.CharField(source="owner.name", read_only=True, default=None, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "resolution",
            "title",
            "department",
            "owner",
            "due_on",
            "status",
            "completed_on",
            "is_overdue",
        ]


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)
    notes = serializers.CharField(required=False, allow_blank=True)


class PlanSerializer(serializers.ModelSerializer):
    # A plan has no resolution until the board decides it.
    resolution = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Plan
        fields = ["id", "kind", "year", "title", "gmv_target", "cost_budget", "status", "resolution"]
