"""Forms of the quality pages. They only validate input; services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liveops.core.forms import DateInput, StyledForm
from liveops.org.models import Staff
from liveops.quality.models import CorrectiveAction, Defect, Inspection
from liveops.sourcing.models import Category, Merchant, Product, Sample


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ChecklistForm(StyledForm):
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("code"), label=_("Category"))
    title = forms.CharField(max_length=200, label=_("Title"))
    critical = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label=_("Critical checks"),
        help_text=_("One per line. A failed critical check fails the inspection."),
    )
    other = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("Other checks"),
        help_text=_(
            "One per line. Recorded, but fail the inspection only on a checklist without critical checks."
        ),
    )

    def __init__(self, *args, revise: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if revise:
            del self.fields["category"]

    def clean(self):
        data = super().clean()
        if not _lines(data.get("critical", "")) and not _lines(data.get("other", "")):
            raise forms.ValidationError(_("Add at least one check."))
        return data

    def items(self) -> list[dict]:
        return [{"text": t, "is_critical": True} for t in _lines(self.cleaned_data.get("critical", ""))] + [
            {"text": t, "is_critical": False} for t in _lines(self.cleaned_data.get("other", ""))
        ]

    @staticmethod
    def initial_for(checklist) -> dict:
        items = list(checklist.items.all())
        return {
            "title": checklist.title,
            "critical": "\n".join(i.text for i in items if i.is_critical),
            "other": "\n".join(i.text for i in items if not i.is_critical),
        }


class InspectionStartForm(StyledForm):
    kind = forms.ChoiceField(choices=Inspection.Kind.choices, label=_("Kind"))
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, widget=forms.NumberInput, label=_("Product ID")
    )
    sample = forms.ModelChoiceField(
        queryset=Sample.objects.all(), required=False, widget=forms.NumberInput, label=_("Sample ID")
    )
    batch_no = forms.CharField(max_length=40, required=False, label=_("Batch number"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Notes"))

    def clean(self):
        data = super().clean()
        sample, product = data.get("sample"), data.get("product")
        if product is None and sample is not None:
            data["product"] = sample.product
        if data.get("product") is None and not self.errors:
            self.add_error("product", _("Give the product (or the sample)."))
        return data


class ItemResultForm(StyledForm):
    passed = forms.TypedChoiceField(
        choices=[("1", _("Pass")), ("0", _("Fail"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        label=_("Result"),
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))
    photo = forms.FileField(required=False, label=_("Photo"))


class InspectionCompleteForm(StyledForm):
    open_defect = forms.BooleanField(required=False, initial=True, label=_("Open a defect if it fails"))
    defect_severity = forms.ChoiceField(
        choices=[("", _("From the failed checks"))] + list(Defect.Severity.choices),
        required=False,
        label=_("Defect severity"),
    )


class DefectForm(StyledForm):
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), widget=forms.NumberInput, label=_("Product ID")
    )
    severity = forms.ChoiceField(choices=Defect.Severity.choices, label=_("Severity"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Description"))


class CapaForm(StyledForm):
    kind = forms.ChoiceField(choices=CorrectiveAction.Kind.choices, label=_("Kind"))
    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Action"))
    owner = forms.ModelChoiceField(queryset=Staff.objects.none(), required=False, label=_("Owner"))
    due_on = forms.DateField(widget=DateInput(), label=_("Due date"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Owners are people of the merchant-recruitment centre (QC, recruiters), not the whole company.
        self.fields["owner"].queryset = (
            Staff.objects.filter(is_active=True)
            .filter(department__code__in=("QC", "MR", "MC"))
            .select_related("department")
            .order_by("department__sort_order", "name_pinyin")
        )


class CapaUpdateForm(StyledForm):
    status = forms.ChoiceField(choices=CorrectiveAction.Status.choices, label=_("Status"))
    follow_up = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Follow-up")
    )


class BlockForm(StyledForm):
    target = forms.ChoiceField(
        choices=[("merchant", _("Merchant")), ("product", _("Product"))], label=_("Block")
    )
    merchant = forms.ModelChoiceField(
        queryset=Merchant.objects.all(), required=False, widget=forms.NumberInput, label=_("Merchant ID")
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, widget=forms.NumberInput, label=_("Product ID")
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))

    def clean(self):
        data = super().clean()
        field = data.get("target")
        if field and data.get(field) is None and field not in self.errors:
            self.add_error(field, _("This field is required."))
        return data


class LiftForm(StyledForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason for lifting"))
