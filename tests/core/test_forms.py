"""``liveops.core.forms``: a service's errors shown on the form that caused them, service calls from
form views, and IDs read from query strings."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from liveops.commerce.forms_marketing import MarketingForm
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.forms import StyledForm, form_service_call, int_or_none


class _Form(StyledForm):
    name = forms.CharField()
    active = forms.BooleanField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")])


def _bound(form_class=_Form, **data):
    form = form_class(data={"name": "x", "kind": "a", **data})
    assert form.is_valid(), form.errors
    return form


def test_widgets_get_compact_bootstrap_classes():
    form = _Form()
    assert form.fields["name"].widget.attrs["class"] == "form-control form-control-sm"
    assert form.fields["active"].widget.attrs["class"] == "form-check-input"
    assert form.fields["kind"].widget.attrs["class"] == "form-select form-select-sm"


def test_errors_go_on_the_fields_the_service_names():
    form = _bound()
    form.add_domain_error(DomainError("Not saved.", fields={"name": ["Taken."]}))
    assert form.errors["name"] == ["Taken."]
    assert not form.non_field_errors()


def test_errors_on_fields_the_form_lacks_are_shown_on_top_not_lost():
    form = _bound()
    form.add_domain_error(DomainError("Not saved.", fields={"budget": "Too high.", "name": ["Taken."]}))
    assert form.non_field_errors() == ["Too high."]
    assert form.errors["name"] == ["Taken."]


def test_an_error_naming_no_field_shows_its_message_on_top():
    form = _bound()
    form.add_domain_error(DomainError("The campaign has ended."))
    assert form.non_field_errors() == ["The campaign has ended."]


class _Budget(MarketingForm):
    amount = forms.DecimalField()


def test_marketing_forms_show_fen_errors_on_the_cny_field():
    form = _Budget(data={"amount": "1.00"})
    assert form.is_valid()
    form.add_domain_error(DomainError("No.", fields={"amount_fen": ["Over the budget."]}))
    assert form.errors["amount"] == ["Over the budget."]


def test_service_call_returns_the_result():
    assert form_service_call(_bound(), lambda: 42) == 42


def test_service_call_puts_domain_and_validation_errors_on_the_form():
    form = _bound()

    def fails():
        raise DomainError("No.", fields={"name": ["Taken."]})

    assert form_service_call(form, fails) is None
    assert form.errors["name"] == ["Taken."]

    form = _bound()

    def invalid():
        raise ValidationError(["First.", "Second."])

    assert form_service_call(form, invalid) is None
    assert form.non_field_errors() == ["First.", "Second."]


def test_service_refusal_is_a_403():
    def refused():
        raise NotAllowed("Not yours.")

    with pytest.raises(PermissionDenied):
        form_service_call(_bound(), refused)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (12, 12),
        ("999999999999999999", 999_999_999_999_999_999),
        ("9999999999999999999", None),  # 19 digits: may not fit a 64-bit ID
        ("-3", None),
        ("3.0", None),
        ("", None),
        (None, None),
        ("١٢", None),  # Arabic-Indic digits: str.isdigit() says yes, the database would not
        ("1 2", None),
    ],
)
def test_int_or_none(value, expected):
    assert int_or_none(value) == expected
