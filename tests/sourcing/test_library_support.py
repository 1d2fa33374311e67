"""Shared fixtures and helpers of the library tests (imported by the test_library_* modules)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from liveops.sourcing.services.merchants import uscc_check_char
from tests.conftest import make_person
from tests.factories import make_category, make_merchant


def uscc(body: str) -> str:
    """A valid USCC from its first 17 characters (check character appended)."""
    return body + uscc_check_char(body)


@pytest.fixture
def people(org):
    """MR recruiter and head, QC inspector, an EC member, the auditor, an outsider, a superuser."""
    return SimpleNamespace(
        mr=make_person("mr-recruiter", "lib-mr"),
        head=make_person("mr-head", "lib-mrhead"),
        qc=make_person("qc-inspector", "lib-qc"),
        ec=make_person("ec-shop-operator", "lib-ec"),
        auditor=make_person("sv-chair", "lib-auditor"),
        outsider=make_person(None, "lib-outsider"),
        admin=make_person(None, "lib-admin", superuser=True),
    )


@pytest.fixture
def world(people):
    """An MR merchant and an EC merchant (one each), a category."""
    cat = make_category()
    mr_merchant = make_merchant("自然堂化妆品有限公司", uscc=uscc("91310000MA1FL0000"))
    ec_merchant = make_merchant("电商部商家有限公司", department="EC", uscc=uscc("91330100MA2AB0001"))
    return SimpleNamespace(category=cat, mr_merchant=mr_merchant, ec_merchant=ec_merchant)


def test_support_roles(people):
    """The personas hold what the library relies on."""
    from liveops.core.access import access_for
    from liveops.org.models import Department

    mr = Department.objects.get(code="MR")
    assert access_for(people.mr).reaches_department("sourcing.change", mr.pk)
    assert not access_for(people.mr).can("sourcing.view_personal")
    assert access_for(people.head).reaches_department("sourcing.view_personal", mr.pk)
    assert access_for(people.qc).can("quality.change") and not access_for(people.qc).can("sourcing.change")
    assert access_for(people.qc).department_ids("sourcing.view") is None  # company-wide
    assert not access_for(people.ec).can("sourcing.view")
    assert access_for(people.auditor).can("sourcing.view") and not access_for(people.auditor).can(
        "sourcing.change"
    )
