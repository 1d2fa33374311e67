"""Pages and API of the selection board, list, report and meetings, per persona."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveops.sourcing.models import Product, SelectionMeeting
from liveops.sourcing.selectors.pipeline import BOARD_CARDS
from liveops.sourcing.services import deals as deal_svc
from liveops.sourcing.services import pipeline as svc
from tests.factories import make_brand, make_clear_product, make_credential, make_merchant, make_product
from tests.sourcing.test_pipeline_support import client_as, sourcing_people, terms, to_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return sourcing_people()


PAGES = ["/sourcing/pipeline/", "/sourcing/pipeline/list/", "/sourcing/selection/meetings/"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("recruiter", 200), ("head", 200), ("qc", 200), ("auditor", 200), ("ec", 403), ("outsider", 403)],
)
def test_pages_per_persona(people, who, expected):
    product = make_clear_product()
    m = svc.selection_meeting_create(actor=people.head, title="选品会", held_at=timezone.now())
    c = client_as(getattr(people, who))
    for url in [*PAGES, f"/sourcing/pipeline/{product.pk}/report/", f"/sourcing/selection/meetings/{m.pk}/"]:
        assert c.get(url).status_code == expected, url


def test_other_departments_products_answer_404(people):
    ec_product = make_product(make_merchant(department="EC"))
    c = client_as(people.recruiter)
    assert c.get(f"/sourcing/pipeline/{ec_product.pk}/report/").status_code == 404
    assert (
        c.post(f"/sourcing/pipeline/{ec_product.pk}/move/", {"to_stage": "sample_requested"}).status_code
        == 404
    )


def test_board_shows_cards_and_moves_with_htmx(people):
    product = make_clear_product(title="玻尿酸精华")
    c = client_as(people.recruiter)
    page = c.get("/sourcing/pipeline/").content.decode()
    assert "玻尿酸精华" in page and 'hx-post="/sourcing/pipeline/' in page and "hx-vals" in page
    r = c.post(
        f"/sourcing/pipeline/{product.pk}/move/",
        {"to_stage": "sample_requested"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="board",
    )
    assert r.status_code == 200 and 'id="board"' in r.content.decode()
    product.refresh_from_db()
    assert product.stage == "sample_requested"
    # A refused move answers with the board and the reason.
    r = c.post(
        f"/sourcing/pipeline/{product.pk}/move/", {"to_stage": "sample_received"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "alert-danger" in r.content.decode()
    # Reject with a reason from hx-prompt.
    r = c.post(
        f"/sourcing/pipeline/{product.pk}/move/",
        {"to_stage": "rejected"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_PROMPT="不合适",
    )
    product.refresh_from_db()
    assert (product.stage, product.reject_reason) == ("rejected", "不合适")
    # Read-only viewers see no move buttons and may not move.
    assert "hx-post" not in client_as(people.auditor).get("/sourcing/pipeline/").content.decode()
    assert (
        client_as(people.auditor)
        .post(f"/sourcing/pipeline/{product.pk}/move/", {"to_stage": "candidate"})
        .status_code
        == 403
    )
    assert (
        client_as(people.qc)
        .post(f"/sourcing/pipeline/{product.pk}/move/", {"to_stage": "candidate"})
        .status_code
        == 403
    )


def test_board_with_5000_candidates_is_fast(people):
    merchant = make_clear_product().merchant
    category = merchant.products.first().category
    now = timezone.now()
    Product.objects.bulk_create(
        [
            Product(
                merchant=merchant,
                category=category,
                title=f"候选商品{i}",
                department=merchant.department,
                stage="candidate",
                stage_entered_at=now - dt.timedelta(minutes=i),
            )
            for i in range(5000)
        ],
        batch_size=1000,
    )
    c = client_as(people.head)
    c.get("/sourcing/pipeline/")  # warm up
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        r = c.get("/sourcing/pipeline/")
        elapsed = time.perf_counter() - start
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('data-product="') == BOARD_CARDS  # the oldest candidates only
    assert 'data-count="candidate">5001<' in body
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "sourcing_product" in q["sql"]
    ]
    assert len(counts) == 1 and "GROUP BY" in counts[0].upper()
    assert len(ctx.captured_queries) < 30
    assert elapsed < 2.0


def test_list_shows_time_in_stage(people):
    product = make_clear_product(title="面霜")
    svc.pipeline_move(actor=people.recruiter, product=product, to_stage="sample_requested")
    page = client_as(people.recruiter).get("/sourcing/pipeline/list/?stage=sample_requested").content.decode()
    assert "面霜" in page and "0.0" in page
    assert (
        "面霜"
        not in client_as(people.recruiter).get("/sourcing/pipeline/list/?stage=candidate").content.decode()
    )


def test_selection_report_page(people):
    owner = make_merchant(kind="brand_owner")
    brand = make_brand(owner)
    distributor = make_merchant(kind="distributor")
    make_credential(distributor, "business_licence")
    make_credential(distributor, "cosmetics_filing")
    link = make_credential(distributor, "brand_authorisation", brand=brand, grantor=owner, expires_in_days=-3)
    product = make_product(distributor, brand=brand, title="精华水")
    deal = deal_svc.deal_create(actor=people.recruiter, product=product, **terms())
    deal_svc.deal_approve(actor=people.head, deal=deal_svc.deal_submit(actor=people.recruiter, deal=deal))
    product = to_meeting(product, people.recruiter)
    page = client_as(people.auditor).get(f"/sourcing/pipeline/{product.pk}/report/").content.decode()
    assert "@media print" in page
    for text in (
        "精华水",
        "GB/T 29665-2013",
        "79.00",
        "5,000.00" if "5,000.00" in page else "5000.00",
        link.number,
        'id="blockers"',
    ):
        assert text in page, text
    assert "<script>" not in page


def test_meeting_pages_review_and_decide(people):
    product = to_meeting(make_clear_product(title="洗面奶"), people.recruiter)
    head = client_as(people.head)
    r = head.post("/sourcing/selection/meetings/", {"title": "十一月选品会", "held_at": "2026-11-01T14:00"})
    assert r.status_code == 302
    m = SelectionMeeting.objects.get(title="十一月选品会")
    url = f"/sourcing/selection/meetings/{m.pk}/"
    page = head.get(url).content.decode()
    assert "洗面奶" in page and "decide-form" in page
    rec = client_as(people.recruiter)
    assert "decide-form" not in rec.get(url).content.decode()
    rec.post(
        url,
        {
            "action": "review",
            "product": product.pk,
            "score_quality": "5",
            "score_price": "4",
            "score_demand": "4",
            "vote": "approve",
        },
    )
    assert (
        rec.post(url, {"action": "decide", "product": product.pk, "decision": "approve"}).status_code == 403
    )
    assert (
        client_as(people.auditor)
        .post(
            url,
            {
                "action": "review",
                "product": product.pk,
                "score_quality": "5",
                "score_price": "4",
                "score_demand": "4",
                "vote": "approve",
            },
        )
        .status_code
        == 403
    )
    head.post(url, {"action": "decide", "product": product.pk, "decision": "approve", "reason": "一致通过"})
    product.refresh_from_db()
    assert product.stage == "approved"
    assert "4.33" in head.get(url).content.decode()


# API -------------------------------------------------------------------------------------------


def test_board_and_move_api(people):
    product = make_clear_product()
    c = client_as(people.recruiter)
    board = c.get("/api/v1/sourcing/pipeline/board/?per_column=5").json()
    cand = next(col for col in board if col["stage"] == "candidate")
    assert cand["count"] == 1 and cand["cards"][0]["id"] == product.pk
    r = c.post(
        f"/api/v1/sourcing/products/{product.pk}/move/", {"to_stage": "qc"}, content_type="application/json"
    )
    assert r.status_code == 409 and set(r.json()) == {"code", "message", "fields"}
    r = c.post(
        f"/api/v1/sourcing/products/{product.pk}/move/",
        {"to_stage": "sample_requested"},
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["stage"] == "sample_requested"
        and r.json()["available_for_lineup"] is False
    )
    assert (
        client_as(people.qc)
        .post(
            f"/api/v1/sourcing/products/{product.pk}/move/",
            {"to_stage": "candidate"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert client_as(people.ec).get("/api/v1/sourcing/pipeline/board/").status_code == 403


def test_meeting_api(people):
    product = to_meeting(make_clear_product(), people.recruiter)
    head, rec = client_as(people.head), client_as(people.recruiter)
    r = head.post(
        "/api/v1/sourcing/selection-meetings/",
        {"title": "API 选品会", "held_at": timezone.now().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 201
    mid = r.json()["id"]
    r = rec.post(
        f"/api/v1/sourcing/selection-meetings/{mid}/reviews/",
        {"product": product.pk, "score_quality": 4, "score_price": 4, "score_demand": 5, "vote": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    r = rec.post(
        f"/api/v1/sourcing/selection-meetings/{mid}/decide/",
        {"product": product.pk, "decision": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = head.post(
        f"/api/v1/sourcing/selection-meetings/{mid}/decide/",
        {"product": product.pk, "decision": "reject"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = head.post(
        f"/api/v1/sourcing/selection-meetings/{mid}/decide/",
        {"product": product.pk, "decision": "approve"},
        content_type="application/json",
    )
    assert (
        r.status_code == 200 and r.json()["stage"] == "approved" and r.json()["available_for_lineup"] is True
    )
    detail = rec.get(f"/api/v1/sourcing/selection-meetings/{mid}/").json()
    assert (
        detail["products"][0]["votes_approve"] == 1
        and detail["products"][0]["reviews"][0]["reviewer"] == "recruiter"
    )
    assert [m["id"] for m in rec.get("/api/v1/sourcing/selection-meetings/").json()["results"]] == [mid]


def test_decide_api_reports_blockers(people):
    owner = make_merchant(kind="brand_owner")
    brand = make_brand(owner)
    distributor = make_merchant(kind="distributor")
    make_credential(distributor, "business_licence")
    make_credential(distributor, "cosmetics_filing")
    link = make_credential(distributor, "brand_authorisation", brand=brand, grantor=owner, expires_in_days=-1)
    product = to_meeting(make_product(distributor, brand=brand), people.recruiter)
    m = svc.selection_meeting_create(actor=people.head, title="会", held_at=timezone.now())
    svc.selection_review_add(
        actor=people.head,
        meeting=m,
        product=product,
        score_quality=3,
        score_price=3,
        score_demand=3,
        vote="approve",
    )
    r = client_as(people.head).post(
        f"/api/v1/sourcing/selection-meetings/{m.pk}/decide/",
        {"product": product.pk, "decision": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "approval_blocked" and link.number in r.json()["message"]
