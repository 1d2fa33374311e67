"""Serializers of the merchant and product library API. Contacts' phone and WeChat are masked unless
the view put the merchant's id in ``context["unmasked_ids"]``."""

from __future__ import annotations

from rest_framework import serializers

from liveops.core.masking import mask_phone
from liveops.org.models import Department
from liveops.sourcing.models import (
    Brand,
    Category,
    Credential,
    Merchant,
    MerchantContact,
    PriceRecord,
    Product,
    Sku,
)


def _mask_wechat(value: str) -> str:
    if not value:
        return ""
    return value[:2] + "****" if len(value) > 2 else "****"


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = MerchantContact
        fields = ["id", "name", "title", "phone", "email", "wechat", "is_primary"]


class MerchantSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "name",
            "uscc",
            "kind",
            "level",
            "status",
            "department",
            "city",
            "categories",
            "notes",
            "contacts",
            "created_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("unmasked_ids", set()):
            for c in data.get("contacts") or []:
                c["phone"] = mask_phone(c.get("phone"))
                c["wechat"] = _mask_wechat(c.get("wechat"))
        return data


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MerchantCreatedSerializer(MerchantSerializer):
    """The new merchant, with merchants of a similar name (near-duplicates worth a look)."""

    similar = serializers.SerializerMethodField()

    class Meta(MerchantSerializer.Meta):
        fields = [*MerchantSerializer.Meta.fields, "similar"]

    def get_similar(self, obj) -> list[dict]:
        return SimilarSerializer(self.context.get("similar", []), many=True).data


class MerchantWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Merchant.Kind.choices)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True)
    )
    uscc = serializers.CharField(
        max_length=24, required=False, allow_blank=True, allow_null=True, default=None
    )
    level = serializers.ChoiceField(
        choices=Merchant.Level.choices, required=False, default=Merchant.Level.TRIAL
    )
    status = serializers.ChoiceField(
        choices=Merchant.Status.choices, required=False, default=Merchant.Status.PROSPECT
    )
    city = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    categories = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), many=True, required=False, default=list
    )


class MerchantUpdateSerializer(MerchantWriteSerializer):
    """PATCH: only the fields sent are changed."""

    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Merchant.Kind.choices, required=False)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True), required=False
    )
    uscc = serializers.CharField(max_length=24, required=False, allow_blank=True, allow_null=True)
    level = serializers.ChoiceField(choices=Merchant.Level.choices, required=False)
    status = serializers.ChoiceField(choices=Merchant.Status.choices, required=False)
    city = serializers.CharField(max_length=60, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    categories = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), many=True, required=False
    )


class SkuSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sku
        fields = ["id", "sku_code", "barcode", "spec", "price"]


class PriceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceRecord
        fields = ["id", "kind", "price", "recorded_on", "source"]


class ProductSerializer(serializers.ModelSerializer):
    merchant = serializers.PrimaryKeyRelatedField(read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "title",
            "merchant",
            "merchant_name",
            "brand",
            "category",
            "merchant_code",
            "regular_price",
            "competitor_price",
            "stage",
            "created_at",
        ]


class ProductDetailSerializer(ProductSerializer):
    skus = SkuSerializer(many=True, read_only=True)
    prices = PriceRecordSerializer(many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "selling_points", "target_audience", "skus", "prices"]


class CredentialSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    verified_by = serializers.CharField(
        source="verified_by.username", read_only=True, default=None, allow_null=True
    )
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = [
            "id",
            "merchant",
            "merchant_name",
            "kind",
            "number",
            "brand",
            "grantor",
            "product",
            "issued_on",
            "expires_on",
            "verification",
            "verified_by",
            "verified_at",
            "has_file",
        ]

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class CredentialVerifySerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    standards = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name_zh", "name_en", "parent", "standards", "required_credentials"]

    def get_standards(self, obj) -> list[str]:
        return [line.strip() for line in (obj.standards or "").splitlines() if line.strip()]


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "name_en", "owner", "trademark_no"]
