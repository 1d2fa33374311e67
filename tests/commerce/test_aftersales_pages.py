"""After-sales and settlement pages and API with every persona: who sees what, filters, keyset
paging, the detail with its order line, the relink button, navigation, and the QC page's sections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from liveops.commerce.models import AfterSale, SettlementEntry
from liveops.core.models import AuditEntry
from liveops.core.navigation import TOOLS
from tests.commerce.factories import SHANGHAI, make_line, make_shop

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture
def client_for(client_for):
    """The personas' clients, in English (the default language is Chinese)."""

    def make(name, **kwargs):
        c = client_for(name, **kwargs)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def data(personas, douyin_shop):
    line = make_line(douyin_shop, paid_at=AT, sub_order_no="6917000000000000001")
    ec_case = AfterSale.objects.create(
        shop=douyin_shop,
        aftersale_no="AS-EC-1",
        sub_order_no=line.sub_order_no,
        line=line,
        kind="仅退款",
        status_text="退款成功",
        state="refunded",
        refund_fen=9900,
        applied_at=AT,
        reason="不想要了",
        reason_tag="七天无理由",
    )
    waiting = AfterSale.objects.create(
        shop=douyin_shop,
        aftersale_no="AS-EC-2",
        sub_order_no="6917000000000000099",
        kind="退货退款",
        state="in_progress",
    )
    mr_shop = make_shop(name="招商部的店", department_code="MR")
    mr_case = AfterSale.objects.create(shop=mr_shop, aftersale_no="AS-MR-1", state="closed")
    SettlementEntry.objects.create(
        shop=douyin_shop,
        entry_no="F-1",
        occurred_at=dt.datetime.now(tz=SHANGHAI),
        amount_fen=8000,
        billing_type="订单",
        platform_fee_fen=-495,
        sub_order_no=line.sub_order_no,
        line=line,
    )
    return {
        "line": line,
        "ec": ec_case,
        "waiting": waiting,
        "mr": mr_case,
        "mr_shop": mr_shop,
        "shop": douyin_shop,
    }


# member: EC shop operator; other: MR recruiter (no commerce access); manager: EC head; auditor: reads all.
LIST_STATUS = {"member": 200, "other": 403, "manager": 200, "auditor": 200, "outsider": 403, None: 302}


@pytest.mark.parametrize("persona", list(LIST_STATUS))
def test_page_matrix(client_for, data, persona):
    c = client_for(persona)
    for name in ("commerce-aftersales", "commerce-settlements"):
        assert c.get(reverse(name)).status_code == LIST_STATUS[persona], (name, persona)
    detail = c.get(reverse("commerce-aftersale", args=[data["ec"].pk])).status_code
    assert detail == LIST_STATUS[persona]
    # A case of a shop out of reach answers 404 (no hint that it exists).
    other = c.get(reverse("commerce-aftersale", args=[data["mr"].pk])).status_code
    assert other == {"member": 404, "manager": 404, "auditor": 200}.get(persona, LIST_STATUS[persona])


def test_list_shows_scoped_cases_with_filters(client_for, data):
    c = client_for("member")
    html = c.get(reverse("commerce-aftersales")).content.decode()
    assert "AS-EC-1" in html and "AS-EC-2" in html and "AS-MR-1" not in html
    assert "not linked" in html  # the waiting case
    html = c.get(reverse("commerce-aftersales"), {"state": "refunded"}).content.decode()
    assert "AS-EC-1" in html and "AS-EC-2" not in html
    html = c.get(reverse("commerce-aftersales"), {"kind": "退货退款"}).content.decode()
    assert "AS-EC-2" in html and "AS-EC-1" not in html
    html = c.get(reverse("commerce-aftersales"), {"tag": "七天无理由"}).content.decode()
    assert "AS-EC-1" in html and "AS-EC-2" not in html
    html = c.get(reverse("commerce-aftersales"), {"number": "6917000000000000001"}).content.decode()
    assert "AS-EC-1" in html and "AS-EC-2" not in html
    # A shop out of reach is not a choice: the filter is ignored rather than widened.
    html = c.get(reverse("commerce-aftersales"), {"shop": data["mr_shop"].pk}).content.decode()
    assert "AS-MR-1" not in html
    # Nonsense is ignored, not a 500.
    assert c.get(reverse("commerce-aftersales"), {"before": "x" * 30, "state": "nope"}).status_code == 200


def test_list_keyset_paging_with_htmx(client_for, data, douyin_shop):
    for i in range(55):
        AfterSale.objects.create(shop=douyin_shop, aftersale_no=f"P{i:03d}", state="in_progress")
    c = client_for("member")
    html = c.get(reverse("commerce-aftersales")).content.decode()
    assert "P054" in html and "P005" in html and "P004" not in html and 'id="aftersale-more"' in html
    last_id = AfterSale.objects.get(aftersale_no="P005").pk
    part = c.get(
        reverse("commerce-aftersales"), {"before": last_id}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in part and "P004" in part and "AS-EC-1" in part and "P005" not in part


def test_detail_links_the_order_line(client_for, data):
    c = client_for("member")
    html = c.get(reverse("commerce-aftersale", args=[data["ec"].pk])).content.decode()
    assert data["line"].order.order_no in html and "99.00" in html and "七天无理由" in html
    assert 'id="case-line"' in html
    html = c.get(reverse("commerce-aftersale", args=[data["waiting"].pk])).content.decode()
    assert 'id="case-unlinked"' in html and "6917000000000000099" in html


def test_relink_links_waiting_cases(client_for, data, douyin_shop):
    line = make_line(douyin_shop, paid_at=AT, sub_order_no="6917000000000000099")
    url = reverse("commerce-aftersale-relink")
    # Readers may not; another department's shop is not found; GET is not allowed.
    assert client_for("auditor").post(url, {"shop": douyin_shop.pk}).status_code == 403
    assert client_for("member").post(url, {"shop": data["mr_shop"].pk}).status_code == 404
    assert client_for("member").get(url).status_code == 405
    html = client_for("member").get(reverse("commerce-aftersales"), {"shop": douyin_shop.pk}).content.decode()
    assert url in html
    r = client_for("member").post(url, {"shop": douyin_shop.pk})
    assert r.status_code == 302
    data["waiting"].refresh_from_db()
    line.refresh_from_db()
    assert data["waiting"].line_id == line.pk and line.aftersale_state == "in_progress"
    assert AuditEntry.objects.filter(verb="aftersales_relink", object_id=str(douyin_shop.pk)).exists()


def test_settlement_page_totals(client_for, data, douyin_shop):
    c = client_for("member")
    html = c.get(reverse("commerce-settlements")).content.decode()
    assert 'id="fee-totals"' in html and "F-1" in html and "80.00" in html and "-4.95" in html
    html = c.get(
        reverse("commerce-settlements"),
        {"shop": douyin_shop.pk, "date_from": "2020-01-01", "date_to": "2020-01-31"},
    ).content.decode()
    assert "F-1" not in html and "No rows in this period." in html
    html = c.get(reverse("commerce-settlements"), {"shop": data["mr_shop"].pk}).content.decode()
    assert "F-1" not in html and 'id="fee-totals"' not in html  # not a choice for the member
    html = c.get(
        reverse("commerce-settlements"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    ).content.decode()
    assert "before the start date" in html


def test_navigation_under_ec_and_cs():
    import liveops.commerce.urls_aftersales  # noqa: F401

    units = {(t.unit, t.url_name) for t in TOOLS}
    assert ("EC", "commerce-aftersales") in units and ("CS", "commerce-aftersales") in units
    assert ("EC", "commerce-settlements") in units


def test_history_of_a_case(client_for, data):
    url = reverse("object-history", args=["commerce.aftersale", data["ec"].pk])
    assert client_for("member").get(url).status_code == 200
    assert (
        client_for("member")
        .get(reverse("object-history", args=["commerce.aftersale", data["mr"].pk]))
        .status_code
        == 404
    )


# API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "other", "manager", "auditor", "outsider"])
def test_api_matrix(client_for, data, persona):
    c = client_for(persona)
    allowed = persona in ("member", "manager", "auditor")
    for name in ("api-commerce-aftersales", "api-commerce-settlements", "api-commerce-refund-rates"):
        assert c.get(reverse(name)).status_code == (200 if allowed else 403), (name, persona)
    r = c.get(reverse("api-commerce-aftersale", args=[data["mr"].pk]))
    assert r.status_code == (200 if persona == "auditor" else 404 if allowed else 403)
    assert client_for(None).get(reverse("api-commerce-aftersales")).status_code in (401, 403)


def test_api_lists_filters_and_fields(client_for, data):
    c = client_for("member")
    rows = c.get(reverse("api-commerce-aftersales")).json()["results"]
    assert [r["aftersale_no"] for r in rows] == ["AS-EC-2", "AS-EC-1"]
    one = c.get(reverse("api-commerce-aftersales"), {"state": "refunded"}).json()["results"]
    assert [(r["aftersale_no"], r["refund_fen"], r["line"], r["shop_name"]) for r in one] == [
        ("AS-EC-1", 9900, data["line"].pk, "抖音旗舰店")
    ]
    assert c.get(reverse("api-commerce-aftersales"), {"line": 2**70}).status_code == 400
    s = c.get(reverse("api-commerce-settlements"), {"shop": data["shop"].pk}).json()["results"]
    assert [(r["entry_no"], r["amount_fen"], r["platform_fee_fen"]) for r in s] == [("F-1", 8000, -495)]
    detail = c.get(reverse("api-commerce-aftersale", args=[data["ec"].pk])).json()
    assert detail["state"] == "refunded" and detail["reason_tag"] == "七天无理由"


def test_api_refund_rates(client_for, data, douyin_shop):
    from liveops.commerce.services.rollups import rollups_refresh

    data["line"].refund_fen = 9900
    data["line"].aftersale_state = "refunded"
    data["line"].save()
    rollups_refresh(shop_days={douyin_shop.pk: {AT.date()}})
    c = client_for("member")
    rows = c.get(
        reverse("api-commerce-refund-rates"),
        {"dimension": "shop", "date_from": "2026-03-01", "date_to": "2026-03-31"},
    ).json()
    assert rows == [
        {
            "key": str(douyin_shop.pk),
            "label": "抖音旗舰店",
            "gmv_fen": 9900,
            "refund_fen": 9900,
            "lines_paid": 1,
            "refund_lines": 1,
            "rate": "100.00",
            "line_rate": "100.00",
        }
    ]
    bad = c.get(reverse("api-commerce-refund-rates"), {"dimension": "hour"})
    assert bad.status_code == 400 and "dimension" in bad.json()["fields"]
    assert (
        c.get(
            reverse("api-commerce-refund-rates"), {"date_from": "2026-03-31", "date_to": "2026-03-01"}
        ).status_code
        == 400
    )


def test_schema_lists_the_endpoints(client_for):
    schema = client_for("admin").get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for p in (
        "/api/v1/commerce/aftersales/",
        "/api/v1/commerce/aftersales/{id}/",
        "/api/v1/commerce/settlements/",
        "/api/v1/commerce/refund-rates/",
    ):
        assert p in paths, p


# The QC page ------------------------------------------------------------------------------------


def test_qc_scorecard_page_shows_quality_returns(client_for, data, douyin_shop, personas):
    from liveops.commerce.services.rollups import rollups_refresh
    from liveops.org.models import Position
    from tests.conftest import make_person
    from tests.factories import make_merchant, make_product

    m = make_merchant("质量退货商家")
    p = make_product(m, title="有瑕疵的面膜")
    line = make_line(douyin_shop, paid_at=AT, product=p, merchant=m)
    AfterSale.objects.create(
        shop=douyin_shop,
        aftersale_no="Q1",
        line=line,
        state="refunded",
        refund_fen=9900,
        applied_at=AT,
        reason_tag="质量问题",
    )
    rollups_refresh(shop_days={douyin_shop.pk: {AT.date()}})
    assert Position.objects.filter(code="qc-inspector").exists()
    qc = make_person("qc-inspector", "as-qc")
    c = client_for(None)
    c.force_login(qc)
    html = c.get(reverse("quality-scorecards"), {"period": "2026-03"}).content.decode()
    assert "质量退货商家" in html and "有瑕疵的面膜" in html and "above threshold" in html
