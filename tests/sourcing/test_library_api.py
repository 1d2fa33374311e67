"""Library API: scoping, create with duplicate checks, masking of contact phones, keyset pagination
with search, credentials expiring and verification, categories, and the error format."""

from __future__ import annotations

import pytest
from django.test import Client

from liveops.core.models import AuditEntry
from liveops.sourcing.services.merchants import contact_save
from liveops.sourcing.services.products import product_create
from tests.factories import make_credential, make_merchant, make_product
from tests.sourcing import test_library_support as support
from tests.sourcing.test_library_support import uscc

pytestmark = pytest.mark.django_db
people, world = support.people, support.world  # shared fixtures


def api(user) -> Client:
    c = Client(headers={"Accept-Language": "en"})
    if user is not None:
        c.force_login(user)
    return c


def test_merchant_list_scope_and_masking(people, world):
    contact_save(
        actor=people.mr,
        merchant=world.mr_merchant,
        name="王",
        phone="13912345678",
        wechat="wangwx",
        is_primary=True,
    )
    r = api(people.mr).get("/api/v1/sourcing/merchants/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [m["name"] for m in rows] == [world.mr_merchant.name]
    assert rows[0]["contacts"][0]["phone"] == "139****5678" and rows[0]["contacts"][0]["wechat"] == "wa****"
    assert "count" not in r.json()
    r = api(people.head).get(f"/api/v1/sourcing/merchants/{world.mr_merchant.pk}/")
    assert r.json()["contacts"][0]["phone"] == "13912345678"
    assert AuditEntry.objects.filter(
        action="view_personal", object_type="sourcing.merchant", actor=people.head
    ).exists()
    assert api(people.ec).get("/api/v1/sourcing/merchants/").status_code == 403
    assert api(people.outsider).get("/api/v1/sourcing/merchants/").status_code == 403
    assert api(people.mr).get(f"/api/v1/sourcing/merchants/{world.ec_merchant.pk}/").status_code == 404
    names = {m["name"] for m in api(people.qc).get("/api/v1/sourcing/merchants/").json()["results"]}
    assert names == {world.mr_merchant.name, world.ec_merchant.name}
    r = api(people.mr).get("/api/v1/sourcing/merchants/", {"q": "zrt"})
    assert [m["name"] for m in r.json()["results"]] == [world.mr_merchant.name]


def test_merchant_create_and_errors(people, world):
    body = {
        "name": "API 新商家有限公司",
        "kind": "factory",
        "department": "MR",
        "uscc": uscc("91330100MA2CD0002"),
        "categories": ["skincare"],
    }
    r = api(people.mr).post("/api/v1/sourcing/merchants/", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert r.json()["categories"] == ["skincare"] and r.json()["similar"] == []
    r = api(people.mr).post(
        "/api/v1/sourcing/merchants/", {**body, "name": "另一个"}, content_type="application/json"
    )
    assert (
        r.status_code == 409
        and set(r.json()) == {"code", "message", "fields"}
        and "uscc" in r.json()["fields"]
    )
    r = api(people.mr).post(
        "/api/v1/sourcing/merchants/", {**body, "name": "X", "uscc": "123"}, content_type="application/json"
    )
    assert r.status_code == 400 and "uscc" in r.json()["fields"]
    r = api(people.mr).post(
        "/api/v1/sourcing/merchants/",
        {**body, "name": "自然堂化妆品集团", "uscc": None},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["similar"][0]["id"] == world.mr_merchant.pk
    r = api(people.mr).post(
        "/api/v1/sourcing/merchants/",
        {**body, "name": "EC 的", "uscc": None, "department": "EC"},
        content_type="application/json",
    )
    assert r.status_code == 403
    for who in (people.qc, people.auditor):
        r = api(who).post(
            "/api/v1/sourcing/merchants/",
            {**body, "name": "QC 的", "uscc": None},
            content_type="application/json",
        )
        assert r.status_code == 403, who
    r = api(people.mr).patch(
        f"/api/v1/sourcing/merchants/{world.mr_merchant.pk}/",
        {"level": "key"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["level"] == "key"
    r = api(people.qc).patch(
        f"/api/v1/sourcing/merchants/{world.mr_merchant.pk}/",
        {"level": "key"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_products_search_and_keyset(people, world):
    p = product_create(
        actor=people.mr, merchant=world.mr_merchant, category=world.category, title="自然堂面霜"
    )
    for i in range(5):
        make_product(world.mr_merchant, category=world.category, title=f"补水面膜{i}")
    r = api(people.mr).get("/api/v1/sourcing/products/", {"q": "zrt"})
    assert [x["id"] for x in r.json()["results"]] == [p.pk]
    r = api(people.mr).get("/api/v1/sourcing/products/", {"page_size": 2})
    data = r.json()
    assert len(data["results"]) == 2 and data["next"] and "count" not in data
    seen = [x["id"] for x in data["results"]]
    while data["next"]:
        data = api(people.mr).get(data["next"]).json()
        seen += [x["id"] for x in data["results"]]
    assert seen == sorted(seen, reverse=True) and len(seen) == 6
    r = api(people.mr).get(f"/api/v1/sourcing/products/{p.pk}/")
    assert r.status_code == 200 and "skus" in r.json() and "prices" in r.json()
    assert api(people.ec).get("/api/v1/sourcing/products/").status_code == 403


def test_credentials_expiring_and_verify(people, world):
    soon = make_credential(world.mr_merchant, "business_licence", expires_in_days=10, verified=False)
    make_credential(world.mr_merchant, "food_licence", expires_in_days=200)
    late = make_credential(world.ec_merchant, "business_licence", expires_in_days=-1)
    ids = [
        c["id"]
        for c in api(people.qc).get("/api/v1/sourcing/credentials/", {"expiring": 30}).json()["results"]
    ]
    assert set(ids) == {soon.pk, late.pk}
    ids = [
        c["id"]
        for c in api(people.mr).get("/api/v1/sourcing/credentials/", {"expiring": 30}).json()["results"]
    ]
    assert ids == [soon.pk]
    r = api(people.mr).post(
        f"/api/v1/sourcing/credentials/{soon.pk}/verify/", {"verified": True}, content_type="application/json"
    )
    assert r.status_code == 403
    r = api(people.qc).post(
        f"/api/v1/sourcing/credentials/{soon.pk}/verify/", {"verified": True}, content_type="application/json"
    )
    assert (
        r.status_code == 200
        and r.json()["verification"] == "verified"
        and r.json()["verified_by"] == people.qc.username
    )


def test_categories(people, world):
    r = api(people.mr).get("/api/v1/sourcing/categories/")
    assert r.status_code == 200
    assert r.json()[0]["standards"] == ["GB/T 29665-2013"] and r.json()[0]["required_credentials"] == [
        "cosmetics_filing"
    ]
    assert api(people.outsider).get("/api/v1/sourcing/categories/").status_code == 403


def test_auditor_reads_only(people, world):
    assert api(people.auditor).get("/api/v1/sourcing/merchants/").status_code == 200
    assert api(people.auditor).get("/api/v1/sourcing/products/").status_code == 200
    make_merchant("审计可见")
    assert any(
        m["name"] == "审计可见"
        for m in api(people.auditor).get("/api/v1/sourcing/merchants/").json()["results"]
    )
