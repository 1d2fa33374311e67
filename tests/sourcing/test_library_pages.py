"""Library pages per persona: lists, forms, detail tabs, masking of contacts, credentials and their
verification, the expiry page, product search and price chart, exports, categories and the plan."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from liveops.core.models import AuditEntry
from liveops.org.models import Department
from liveops.sourcing.models import Credential, Merchant
from liveops.sourcing.services.merchants import contact_save
from liveops.sourcing.services.products import price_record_add, product_create
from tests.factories import make_credential, make_merchant, make_product
from tests.sourcing import test_library_support as support

pytestmark = pytest.mark.django_db
people, world = support.people, support.world  # shared fixtures


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client(user) -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        c.force_login(user)
    return c


def test_merchant_list_per_persona(people, world):
    r = client(people.mr).get("/sourcing/merchants/")
    assert r.status_code == 200
    assert world.mr_merchant.name in r.content.decode() and world.ec_merchant.name not in r.content.decode()
    both = client(people.qc).get("/sourcing/merchants/").content.decode()
    assert world.mr_merchant.name in both and world.ec_merchant.name in both
    assert client(people.auditor).get("/sourcing/merchants/").status_code == 200
    assert client(people.ec).get("/sourcing/merchants/").status_code == 403
    assert client(people.outsider).get("/sourcing/merchants/").status_code == 403
    assert client(None).get("/sourcing/merchants/").status_code == 302
    r = client(people.mr).get(
        "/sourcing/merchants/", {"q": "zrt"}, headers={"HX-Request": "true", "HX-Target": "merchant-rows"}
    )
    assert world.mr_merchant.name in r.content.decode() and "<html" not in r.content.decode()


def test_merchant_create_page(people, world):
    mr = Department.objects.get(code="MR")
    c = client(people.mr)
    assert c.get("/sourcing/merchants/new/").status_code == 200
    for who in (people.qc, people.auditor, people.ec):
        assert client(who).get("/sourcing/merchants/new/").status_code == 403
    data = {
        "name": "自然堂化妆品（有限责任公司）",
        "kind": "brand_owner",
        "level": "trial",
        "status": "prospect",
        "department": mr.pk,
    }
    r = c.post("/sourcing/merchants/new/", data)
    assert r.status_code == 200 and "already on file" in r.content.decode()
    r = c.post("/sourcing/merchants/new/", {**data, "name": "新公司", "uscc": "91350100M000100Y44"})
    assert "check character" in r.content.decode()
    r = c.post("/sourcing/merchants/new/", {**data, "name": "自然堂化妆品集团"})
    assert r.status_code == 200 and 'id="similar-merchants"' in r.content.decode()
    r = c.post("/sourcing/merchants/new/", {**data, "name": "自然堂化妆品集团", "confirm_similar": "on"})
    assert r.status_code == 302
    assert Merchant.objects.filter(name="自然堂化妆品集团", department=mr).exists()
    ec = Department.objects.get(code="EC")
    r = c.post("/sourcing/merchants/new/", {**data, "name": "别部门", "department": ec.pk})
    assert r.status_code == 200 and not Merchant.objects.filter(name="别部门").exists()


def test_merchant_detail_tabs_and_scope(people, world):
    m = world.mr_merchant
    c = client(people.mr)
    for tab in ("profile", "contacts", "log", "credentials", "products", "history"):
        assert c.get(f"/sourcing/merchants/{m.pk}/", {"tab": tab}).status_code == 200, tab
    page = c.get(f"/sourcing/merchants/{m.pk}/").content.decode()
    assert 'id="sales-note"' in page and "filled in once orders are imported" in page
    assert c.get(f"/sourcing/merchants/{world.ec_merchant.pk}/").status_code == 404
    assert client(people.ec).get(f"/sourcing/merchants/{m.pk}/").status_code == 403
    assert c.get(f"/audit/history/sourcing.merchant/{m.pk}/").status_code == 200
    assert c.get(f"/audit/history/sourcing.merchant/{world.ec_merchant.pk}/").status_code == 404


def test_contacts_masked_unless_allowed(people, world):
    m = world.mr_merchant
    contact_save(
        actor=people.mr,
        merchant=m,
        name="王经理",
        phone="13912345678",
        wechat="wang_manager",
        is_primary=True,
    )
    page = client(people.mr).get(f"/sourcing/merchants/{m.pk}/", {"tab": "contacts"}).content.decode()
    assert "13912345678" not in page and "139****5678" in page and "wang_manager" not in page
    assert not AuditEntry.objects.filter(action="view_personal", object_type="sourcing.merchant").exists()
    page = client(people.head).get(f"/sourcing/merchants/{m.pk}/", {"tab": "contacts"}).content.decode()
    assert "13912345678" in page and "wang_manager" in page
    assert AuditEntry.objects.filter(
        action="view_personal", object_type="sourcing.merchant", object_id=str(m.pk), actor=people.head
    ).exists()


def test_log_and_contact_posts(people, world):
    m = world.mr_merchant
    r = client(people.mr).post(
        f"/sourcing/merchants/{m.pk}/log/", {"kind": "negotiation", "summary": "谈佣金"}
    )
    assert r.status_code == 302 and m.logs.count() == 1
    assert (
        client(people.qc)
        .post(f"/sourcing/merchants/{m.pk}/log/", {"kind": "call", "summary": "x"})
        .status_code
        == 403
    )
    assert client(people.mr).get(f"/sourcing/merchants/{m.pk}/log/").status_code == 405
    r = client(people.mr).post(f"/sourcing/merchants/{m.pk}/contacts/", {"name": "李", "phone": "123"})
    assert r.status_code == 302 and m.contacts.count() == 0


def test_credentials_record_verify_and_chain(people, world):
    m = world.mr_merchant
    r = client(people.mr).post(
        f"/sourcing/merchants/{m.pk}/credentials/", {"kind": "business_licence", "number": "BL-9"}
    )
    assert r.status_code == 302
    cred = Credential.objects.get(number="BL-9")
    assert (
        client(people.mr).post(f"/sourcing/credentials/{cred.pk}/verify/", {"verified": "1"}).status_code
        == 403
    )
    r = client(people.qc).post(f"/sourcing/credentials/{cred.pk}/verify/", {"verified": "1", "note": "ok"})
    assert r.status_code == 302
    cred.refresh_from_db()
    assert cred.verification == "verified" and cred.verified_by == people.qc
    # Chain: the MR merchant sells a brand owned by the EC merchant without an authorisation.
    from tests.factories import make_brand

    brand = make_brand(world.ec_merchant, "兰蔻测试")
    make_product(m, category=world.category, brand=brand)
    page = client(people.qc).get(f"/sourcing/merchants/{m.pk}/", {"tab": "credentials"}).content.decode()
    chains = page.split('id="chains"')[1].split("</ul>")[0]
    assert "兰蔻测试" in chains and "Brand authorisation for 兰蔻测试" in chains


def test_expiry_page(people, world):
    make_credential(world.mr_merchant, "business_licence", expires_in_days=7)
    make_credential(world.ec_merchant, "food_licence", expires_in_days=-2)
    page = client(people.qc).get("/sourcing/credentials/expiring/").content.decode()
    expired = page.split('id="expired"')[1].split("</table>")[0]
    expiring = page.split('id="expiring"')[1].split("</table>")[0]
    assert world.ec_merchant.name in expired and world.mr_merchant.name in expiring
    mr_page = client(people.mr).get("/sourcing/credentials/expiring/").content.decode()
    assert world.ec_merchant.name not in mr_page
    assert client(people.ec).get("/sourcing/credentials/expiring/").status_code == 403


def test_product_pages(people, world):
    p = product_create(
        actor=people.mr,
        merchant=world.mr_merchant,
        category=world.category,
        title="自然堂雪域面霜",
        regular_price="199",
    )
    price_record_add(actor=people.mr, product=p, kind="competitor", price="180")
    c = client(people.mr)
    r = c.get("/sourcing/products/", {"q": "zrt"})
    assert r.status_code == 200 and "自然堂雪域面霜" in r.content.decode()
    page = c.get(f"/sourcing/products/{p.pk}/").content.decode()
    assert 'data-chart="price-line"' in page and 'id="price-data"' in page and "liveops/sourcing" in page
    # No inline script besides the JSON data blocks (CSP).
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page):
        assert 'type="application/json"' in tag
    assert "GB/T 29665-2013" in page and 'id="blockers"' in page
    assert c.get(f"/sourcing/products/{p.pk}/edit/").status_code == 200
    assert client(people.qc).get(f"/sourcing/products/{p.pk}/edit/").status_code == 403
    assert client(people.ec).get("/sourcing/products/").status_code == 403
    r = c.post(
        "/sourcing/products/new/",
        {"merchant": world.mr_merchant.pk, "category": world.category.pk, "title": "自然堂 雪域面霜"},
    )
    assert r.status_code == 200 and "Already on file for this merchant" in r.content.decode()
    r = c.post(
        f"/sourcing/products/{p.pk}/skus/", {"sku_code": "A1", "barcode": "6901234567892", "spec": "50g"}
    )
    assert r.status_code == 302 and p.skus.get().barcode == "6901234567892"


def test_merchant_export_escapes_formulas_and_masks(people, world):
    evil = make_merchant('=HYPERLINK("http://x")公司')
    contact_save(actor=people.mr, merchant=evil, name="张", phone="13912345678", is_primary=True)
    r = client(people.mr).get("/sourcing/merchants/", {"export": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "139****5678" in body and "13912345678" not in body
    assert AuditEntry.objects.filter(verb="export", object_type="sourcing.merchant").exists()
    r = client(people.head).get("/sourcing/merchants/", {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client(people.qc).get("/sourcing/merchants/", {"export": "csv"}).status_code == 404


def test_categories_and_plan_pages(people, world):
    page = client(people.mr).get("/sourcing/categories/").content.decode()
    assert "GB/T 29665-2013" in page and "Cosmetics filing" in page
    assert client(people.mr).get("/sourcing/categories/new/").status_code == 403
    assert client(people.head).get("/sourcing/categories/new/").status_code == 200
    r = client(people.head).post(
        "/sourcing/plan/",
        {"category": world.category.pk, "season": "2026Q4", "target_products": 5, "target_brands": 2},
    )
    assert r.status_code == 302
    page = client(people.mr).get("/sourcing/plan/", {"season": "2026Q4"}).content.decode()
    assert 'id="plan-gaps"' in page and "5 products, 2 brands" in page
    assert (
        client(people.mr).post("/sourcing/plan/", {"category": world.category.pk, "season": "X"}).status_code
        == 404
    )
    assert client(people.ec).get("/sourcing/plan/").status_code == 403


def test_navigation(people):
    from django.test import RequestFactory

    from liveops.core.navigation import navigation_for

    req = RequestFactory().get("/")
    req.user = people.qc
    nav = navigation_for(req)
    qc_tools = [t for u in nav["units"] for d in u["departments"] if d["code"] == "QC" for t in d["tools"]]
    assert any(t["url"] == "/sourcing/credentials/expiring/" for t in qc_tools)
    req = RequestFactory().get("/")
    req.user = people.ec
    nav = navigation_for(req)
    assert not any(
        t["url"].startswith("/sourcing/")
        for u in nav["units"]
        for d in u["departments"]
        for t in d["tools"]
        if t["url"]
    )
