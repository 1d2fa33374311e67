"""Forms of the merchant and product library pages. They check input shape and name the field;
the services decide (duplicates, rights) and the forms show their errors on the right field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liveops.core.forms import DateInput, DomainErrorMixin
from liveops.org.models import Department, Staff
from liveops.sourcing.models import (
    Brand,
    Category,
    CategoryPlan,
    Credential,
    Merchant,
    MerchantContact,
    MerchantLog,
    PriceRecord,
    Product,
    Sku,
)
from liveops.sourcing.services.merchants import uscc_error, uscc_normalise


class _Model(DomainErrorMixin, forms.ModelForm):
    """The library's model forms: the services write, so uniqueness is theirs to check."""

    def validate_unique(self):
        # Uniqueness is the service's job (with clearer messages naming the existing record).
        pass

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class MerchantForm(_Model):
    confirm_similar = forms.BooleanField(
        required=False, label=_("Yes, this is a different merchant from the similar ones listed")
    )

    class Meta:
        model = Merchant
        fields = [
            "name",
            "uscc",
            "kind",
            "level",
            "status",
            "department",
            "owner",
            "city",
            "categories",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "categories": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, access=None, **kwargs):
        super().__init__(*args, **kwargs)
        reach = access.department_ids("sourcing.change") if access is not None else set()
        departments = Department.objects.filter(is_active=True).order_by("sort_order")
        if reach is not None:
            departments = departments.filter(pk__in=reach)
        self.fields["department"].queryset = departments
        self.fields["owner"].queryset = Staff.objects.filter(
            is_active=True, department__in=departments
        ).order_by("name_pinyin")
        self.fields["categories"].queryset = Category.objects.order_by("code")
        self.fields["categories"].required = False
        if access is not None and access.staff_department_id and not self.instance.pk:
            self.initial.setdefault("department", access.staff_department_id)

    def clean_uscc(self):
        value = uscc_normalise(self.cleaned_data.get("uscc"))
        if value:
            problem = uscc_error(value)
            if problem:
                raise forms.ValidationError(problem)
        return value or None


class ContactForm(_Model):
    class Meta:
        model = MerchantContact
        fields = ["name", "title", "phone", "email", "wechat", "is_primary"]


class LogForm(_Model):
    class Meta:
        model = MerchantLog
        fields = ["kind", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}


class BrandForm(_Model):
    class Meta:
        model = Brand
        fields = ["name", "name_en", "trademark_no"]


class CredentialForm(_Model):
    class Meta:
        model = Credential
        fields = ["kind", "number", "brand", "grantor", "product", "issued_on", "expires_on", "file"]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
        }

    def __init__(self, *args, merchant: Merchant | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.order_by("name")
        self.fields["grantor"].queryset = Merchant.objects.exclude(pk=getattr(merchant, "pk", None)).order_by(
            "name_pinyin"
        )
        self.fields["product"].queryset = (
            merchant.products.order_by("-id") if merchant else Product.objects.none()
        )

    def _post_clean(self):
        # The merchant is set by the view; the model's own checks run in the service.
        pass


class VerifyForm(forms.Form):
    verified = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("Verified")), ("0", _("Rejected"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ProductForm(_Model):
    class Meta:
        model = Product
        fields = [
            "merchant",
            "category",
            "brand",
            "title",
            "merchant_code",
            "selling_points",
            "target_audience",
            "regular_price",
            "competitor_price",
        ]
        widgets = {"selling_points": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, merchants=None, **kwargs):
        super().__init__(*args, **kwargs)
        if merchants is not None:
            self.fields["merchant"].queryset = merchants
        self.fields["brand"].queryset = Brand.objects.order_by("name")
        self.fields["category"].queryset = Category.objects.order_by("code")
        if self.instance.pk:
            self.fields.pop("merchant")

    def _post_clean(self):
        pass


class SkuForm(_Model):
    class Meta:
        model = Sku
        fields = ["sku_code", "barcode", "spec", "price"]

    def _post_clean(self):
        pass


class PriceForm(_Model):
    class Meta:
        model = PriceRecord
        fields = ["kind", "price", "recorded_on", "source"]
        widgets = {"recorded_on": DateInput()}

    def _post_clean(self):
        pass


class CategoryForm(_Model):
    required_credentials = forms.MultipleChoiceField(
        label=_("required credential kinds"),
        choices=Credential.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Category
        fields = ["code", "name_zh", "name_en", "parent", "standards", "required_credentials"]
        widgets = {"standards": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass


class PlanForm(_Model):
    class Meta:
        model = CategoryPlan
        fields = ["category", "season", "target_products", "target_brands", "price_min", "price_max"]

    def _post_clean(self):
        pass
