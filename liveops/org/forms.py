"""Forms of the org pages. Labels and errors come from the models and are translated."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from liveops.core.forms import DateInput, DateTimeLocalInput, DomainErrorMixin
from liveops.org.models import Department, GovernanceBody, Meeting, Resolution, Staff, SupervisoryQuestion

phone_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mainland mobile number."))
id_validator = RegexValidator(r"^\d{17}[\dXx]$", _("Enter an 18-character resident ID number."))


class StaffForm(DomainErrorMixin, forms.ModelForm):
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
        widgets = {"hired_on": DateInput()}

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SupervisoryQuestion
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class MeetingForm(DomainErrorMixin, forms.Form):
    body = forms.ModelChoiceField(queryset=GovernanceBody.objects.select_related("unit"), label=_("body"))
    meeting_type = forms.ChoiceField(choices=Meeting.Type.choices, label=_("type"))
    title = forms.CharField(max_length=200, label=_("title"))
    held_at = forms.DateTimeField(label=_("date and time"), widget=DateTimeLocalInput())
    location = forms.CharField(max_length=100, required=False, label=_("place"))
    agenda = forms.CharField(required=False, label=_("agenda"), widget=forms.Textarea(attrs={"rows": 4}))
    attendees = forms.ModelMultipleChoiceField(
        queryset=Staff.objects.filter(is_active=True).order_by("employee_no"),
        required=False,
        label=_("attendees"),
    )


class ProposalForm(DomainErrorMixin, forms.Form):
    number = forms.CharField(max_length=30, label=_("number"))
    title = forms.CharField(max_length=200, label=_("title"))
    topic = forms.ChoiceField(choices=Resolution.Topic.choices, label=_("topic"))
    proposal = forms.CharField(required=False, label=_("proposal"), widget=forms.Textarea(attrs={"rows": 4}))


class VoteForm(DomainErrorMixin, forms.Form):
    votes_for = forms.IntegerField(min_value=0, max_value=10000, label=_("for"))
    votes_against = forms.IntegerField(min_value=0, max_value=10000, label=_("against"))
    votes_abstain = forms.IntegerField(min_value=0, max_value=10000, initial=0, label=_("abstain"))


class ActionItemForm(DomainErrorMixin, forms.Form):
    title = forms.CharField(max_length=200, label=_("action"))
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), label=_("department")
    )
    owner = forms.ModelChoiceField(
        queryset=Staff.objects.filter(is_active=True).select_related("department"),
        required=False,
        label=_("owner"),
    )
    due_on = forms.DateField(label=_("due date"), widget=DateInput())


class DocumentForm(DomainErrorMixin, forms.Form):
    title = forms.CharField(max_length=200, label=_("title"))
    file = forms.FileField(label=_("file"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Files up to 20 MB."))
        return f


def _org_resolutions():
    return Resolution.objects.filter(
        outcome="passed", topic="org_structure", meeting__body__kind="board"
    ).order_by("-decided_at")


class UnitChangeForm(DomainErrorMixin, forms.Form):
    """Rename, move or close a unit; the approving board resolution is required (GOV-BD-5)."""

    name_zh = forms.CharField(max_length=60, label=_("name (Chinese)"))
    name_en = forms.CharField(max_length=80, label=_("name (English)"))
    parent = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, label=_("reports to")
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("active"))
    resolution = forms.ModelChoiceField(queryset=_org_resolutions(), label=_("approving resolution"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = _org_resolutions()


class UnitCreateForm(DomainErrorMixin, forms.Form):
    """A new unit under an existing one, approved by a board resolution on the org structure."""

    code = forms.SlugField(max_length=20, label=_("code"))
    kind = forms.ChoiceField(
        choices=[("department", _("Department")), ("centre", _("Centre"))], label=_("kind")
    )
    name_zh = forms.CharField(max_length=60, label=_("name (Chinese)"))
    name_en = forms.CharField(max_length=80, label=_("name (English)"))
    resolution = forms.ModelChoiceField(queryset=_org_resolutions(), label=_("approving resolution"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = _org_resolutions()

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Department.objects.filter(code=code).exists():
            raise forms.ValidationError(_("This code is already in use."))
        return code
