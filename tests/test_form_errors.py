"""A small form posted from a record's page shows every error at its field, in the page's language,
and never as a banner with raw field names (issue 15 item 11): the form's own errors and the
service's (``DomainError.fields``) alike, through ``form_errors_keep`` / ``form_errors_restore``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveops.core.errors import DomainError
from liveops.core.forms import StyledForm, form_errors_keep, form_errors_restore
from tests.factories import make_merchant, make_product


def _field_errors(html: str, field: str, after: str = "/prices/") -> list[str]:
    """The error texts shown right after the input ``id_<field>`` of the form posting to ``after``
    (the SKU form on the same page has a price too)."""
    at = html.index(f'id="id_{field}"', html.index(after))
    block = html[at : html.index('<div class="mb-2">', at) if '<div class="mb-2">' in html[at:] else None]
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', block)


def _banner(html: str) -> str:
    return " ".join(re.findall(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', html, re.S))


@pytest.fixture
def recruiter_client(personas):
    client = Client()
    client.force_login(personas["other"])  # a recruiter in MR
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_price_form_errors_at_their_fields_in_chinese(recruiter_client):
    product = make_product(make_merchant())
    url = reverse("sourcing-product-price-add", args=[product.pk])
    response = recruiter_client.post(
        url, {"kind": "regular", "price": "abc", "recorded_on": "2024/13/45", "source": ""}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("price", "recorded_on"):
        errors = _field_errors(html, field)
        assert errors and all(re.search(r"[\u4e00-\u9fff]", e) for e in errors), (field, errors)
    assert "price:" not in html and "recorded_on" not in _banner(html)
    assert '<details class="mb-3" open>' in html  # the form is open at its errors
    # The submitted values come back, so nothing is retyped; the next visit shows a fresh form.
    assert 'value="abc"' in html
    again = recruiter_client.get(reverse("sourcing-product-detail", args=[product.pk])).content.decode()
    assert 'value="abc"' not in again


def test_service_error_at_its_field(recruiter_client):
    """A date in the future is refused by the service, which names the field: shown there."""
    product = make_product(make_merchant())
    tomorrow = timezone.localdate() + dt.timedelta(days=3)
    response = recruiter_client.post(
        reverse("sourcing-product-price-add", args=[product.pk]),
        {"kind": "regular", "price": "10", "recorded_on": tomorrow.isoformat(), "source": ""},
        follow=True,
    )
    html = response.content.decode()
    assert _field_errors(html, "recorded_on"), html
    assert "recorded_on" not in _banner(html)
    assert not product.prices.exists()


class _Form(StyledForm):
    from django import forms as _forms

    amount = _forms.IntegerField()


def test_keep_and_restore(rf):
    """The service's errors go to the fields they name; one naming no field goes on top."""
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = rf.post("/", {"amount": "5"})
    request.session = SessionStore()
    form = _Form(request.POST)
    assert form.is_valid()
    form_errors_keep(request, "k", form, DomainError("Too much.", fields={"amount": ["Too much."]}))
    assert form_errors_restore(request, "other", _Form) is None
    restored = form_errors_restore(request, "k", _Form)
    assert restored.errors == {"amount": ["Too much."]}
    assert restored["amount"].value() == "5"
    assert form_errors_restore(request, "k", _Form) is None  # shown once

    form = _Form(request.POST)
    form.is_valid()
    form_errors_keep(request, "k", form, DomainError("Not now."))
    assert form_errors_restore(request, "k", _Form).non_field_errors() == ["Not now."]
