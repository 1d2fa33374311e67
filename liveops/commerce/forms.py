"""Forms of the shop and attribution pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liveops.commerce.models import AttributionRule, Platform, Shop
from liveops.core.forms import StyledForm, int_or_none
from liveops.sourcing.models import Product, Sku


class ShopForm(StyledForm):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    name = forms.CharField(label=_("Shop name"), max_length=100)
    platform_shop_id = forms.CharField(label=_("Platform shop ID"), max_length=40, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["platform"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        cd = super().clean()
        if (
            cd.get("platform")
            and cd.get("name")
            and Shop.objects.filter(platform=cd["platform"], name=cd["name"].strip()).exists()
        ):
            self.add_error("name", _("A shop of this name already exists on this platform."))
        return cd


class RuleForm(StyledForm):
    """Map one key of the unmatched queue to a library product (by its ID or 商家编码) and SKU."""

    platform = forms.ChoiceField(choices=Platform.choices, widget=forms.HiddenInput)
    key_kind = forms.ChoiceField(label=_("Match on"), choices=AttributionRule.KeyKind.choices)
    key_value = forms.CharField(label=_("Value"), max_length=60)
    product_ref = forms.CharField(
        label=_("Library product"),
        max_length=60,
        help_text=_("The product's number in the library or its merchant code."),
    )
    sku_code = forms.CharField(label=_("SKU merchant code (optional)"), max_length=60, required=False)

    def clean(self):
        cd = super().clean()
        ref = (cd.get("product_ref") or "").strip()
        product = None
        if (pk := int_or_none(ref)) is not None:
            product = Product.objects.filter(pk=pk).first()
        if product is None and ref:
            product = Product.objects.filter(merchant_code=ref).first()
        if product is None and ref:
            sku = Sku.objects.select_related("product").filter(sku_code=ref).first()
            product = sku.product if sku else None
        if ref and product is None:
            self.add_error("product_ref", _("No library product has this number or merchant code."))
        cd["product"] = product
        code = (cd.get("sku_code") or "").strip()
        cd["sku"] = None
        if product is not None and code:
            cd["sku"] = Sku.objects.filter(product=product, sku_code=code).first()
            if cd["sku"] is None:
                self.add_error("sku_code", _("This product has no SKU with this merchant code."))
        return cd
