"""Quality-control fixtures: the QC personas and a small world (a category with a checklist, a clear
product with a received sample)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client

from liveops.quality import services
from tests.conftest import make_person
from tests.factories import make_category, make_clear_product, make_sample


@pytest.fixture
def people(org):
    """QC inspector (member), QC head and MC head (managers), an EC shop operator (other department),
    the chair of the supervisory board (auditor, read-only), an outsider (login, no position)."""
    return SimpleNamespace(
        inspector=make_person("qc-inspector", "qc-inspector"),
        head=make_person("qc-head", "qc-head"),
        mc_head=make_person("mc-head", "mc-head"),
        ec=make_person("ec-shop-operator", "ec-operator"),
        auditor=make_person("sv-chair", "sv-chair"),
        outsider=make_person(None, "outsider"),
    )


@pytest.fixture
def world(people):
    """A skincare category with a checklist in use (two critical checks, one other), a product whose
    merchant holds every credential, and a received sample of it."""
    category = make_category()
    checklist = services.checklist_create(
        actor=people.head,
        category=category,
        title="护肤品来样检验",
        items=[
            {"text": "包装完好无破损", "is_critical": True},
            {"text": "备案信息与标签一致", "is_critical": True},
            {"text": "气味正常", "is_critical": False},
        ],
    )
    product = make_clear_product(category=category)
    sample = make_sample(product)
    return SimpleNamespace(
        category=category, checklist=checklist, product=product, merchant=product.merchant, sample=sample
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_as(user, *, english: bool = True) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    if english:
        c.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return c
