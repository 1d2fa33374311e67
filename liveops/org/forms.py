"""Forms of the org pages. Labels and errors come from the models and are translated."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from liveops.org.models import Staff, SupervisoryQuestion

phone_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mainland mobile number."))
id_validator = RegexValidator(r"^\d{17}[\dXx]$", _("Enter an 18-character resident ID number."))


class StaffForm(forms.ModelForm):
    phone = forms.CharField(label=_("mobile phone"), required=False, validators=[phone_validator])
    id_number = forms.CharField(label=_("ID number"), required=False, validators=[id_validator])

    class Meta:
        model = Staff
        fields = [
            "name",
            "name_en",
            "department",
            "position",
            "manager",
            "email",
            "phone",
            "id_number",
            "address",
            "hired_on",
        ]
        widgets = {"hired_on": forms.DateInput(attrs={"type": "date"})}

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def add_domain_error(self, exc) -> None:
        for field, errors in (exc.fields or {}).items():
            for e in errors:
                self.add_error(field if field in self.fields else None, e)
        if not exc.fields:
            self.add_error(None, str(exc.message))


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SupervisoryQuestion
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
