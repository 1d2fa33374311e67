"""Marketing pages with every persona: the calendar (and its htmx month switch), campaigns, budgets,
ad spend entry and import, KPIs, lifecycle and the product performance table with its CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from liveops.commerce.models import (
    AdSpend,
    Budget,
    Campaign,
    Kpi,
    KpiMeasurement,
    KpiTarget,
    ProductLifecycle,
)
from liveops.commerce.services import kpis as kpi_services
from liveops.commerce.services import marketing as services
from liveops.core.models import AuditEntry, ImportRun
from tests.commerce.marketing_support import client_as, mworld_fixture, product_day, shop_day  # noqa: F401

pytestmark = pytest.mark.django_db

PAGES = [
    "commerce-campaign-calendar",
    "commerce-campaigns",
    "commerce-budgets",
    "commerce-ad-spend",
    "commerce-kpis",
    "commerce-kpi-setup",
    "commerce-kpi-measurements",
    "commerce-lifecycle",
    "commerce-product-performance",
]


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def camp(mworld):
    return services.campaign_create(
        actor=mworld.member,
        name="双11 大促",
        kind=Campaign.Kind.DOUBLE11,
        starts_on=today() - dt.timedelta(days=3),
        ends_on=today() + dt.timedelta(days=3),
        goal_gmv_fen=1_000_000,
        shops=[mworld.douyin],
        products=[mworld.p1],
    )


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "code"), [("member", 200), ("manager", 200), ("auditor", 200), ("other", 403), ("outsider", 403)]
)
def test_pages_per_persona(mworld, name, who, code):
    assert client_as(getattr(mworld, who)).get(reverse(name)).status_code == code


def test_anonymous_goes_to_login(mworld):
    r = client_as(None).get(reverse("commerce-campaign-calendar"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_calendar_month_year_and_htmx_partial(mworld, camp):
    c = client_as(mworld.member)
    r = c.get(reverse("commerce-campaign-calendar"))
    assert "双11 大促" in r.content.decode() and 'id="calendar-month"' in r.content.decode()
    nxt = today().replace(day=28) + dt.timedelta(days=5)
    r = c.get(
        reverse("commerce-campaign-calendar"),
        {"year": nxt.year, "month": nxt.month, "partial": 1},
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="calendar">') and "<html" not in body
    assert nxt.strftime("%Y-%m") in body
    r = c.get(reverse("commerce-campaign-calendar"), {"view": "year", "year": today().year})
    assert 'id="calendar-year"' in r.content.decode() and "双11 大促" in r.content.decode()
    assert client_as(mworld.auditor).get(reverse("commerce-campaign-calendar")).status_code == 200
    # Garbage parameters fall back to sane values.
    assert c.get(reverse("commerce-campaign-calendar"), {"year": "x", "month": "99"}).status_code == 200


def test_member_plans_and_edits_a_campaign(mworld):
    c = client_as(mworld.member)
    assert c.get(reverse("commerce-campaign-new"), {"day": today().isoformat()}).status_code == 200
    r = c.post(
        reverse("commerce-campaign-new"),
        {
            "name": "年货节",
            "kind": "new_year",
            "status": "planned",
            "starts_on": today().isoformat(),
            "ends_on": (today() + dt.timedelta(days=10)).isoformat(),
            "goal_gmv": "1234.56",
            "shops": [mworld.douyin.pk],
            "products": [mworld.p2.pk],
            "session_ids": "12, 5",
        },
    )
    campaign = Campaign.objects.get(name="年货节")
    assert r.status_code == 302 and r["Location"] == reverse("commerce-campaign", args=[campaign.pk])
    assert campaign.goal_gmv_fen == 123_456 and campaign.session_ids == [5, 12]
    assert list(campaign.products.all()) == [mworld.p2]
    bad = c.post(
        reverse("commerce-campaign-new"),
        {
            "name": "x",
            "kind": "other",
            "status": "planned",
            "starts_on": "2026-05-02",
            "ends_on": "2026-05-01",
        },
    )
    assert bad.status_code == 200 and "before the start date" in bad.content.decode()
    r = c.post(
        reverse("commerce-campaign-edit", args=[campaign.pk]),
        {
            "name": "年货节",
            "kind": "new_year",
            "status": "running",
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
            "goal_gmv": "2000",
            "shops": [mworld.douyin.pk, mworld.taobao.pk],
        },
    )
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "running" and campaign.goal_gmv_fen == 200_000 and campaign.shops.count() == 2


@pytest.mark.parametrize("who", ["auditor", "other", "outsider"])
def test_campaign_writes_refused(mworld, camp, who):
    c = client_as(getattr(mworld, who))
    assert c.get(reverse("commerce-campaign-new")).status_code == 403
    assert c.post(reverse("commerce-campaign-edit", args=[camp.pk]), {"name": "x"}).status_code == 403


def test_campaign_detail_shows_goal_spend_roi_and_overspend(mworld, camp):
    shop_day(mworld.douyin, today(), gmv_fen=900_000)
    product_day(mworld.douyin, mworld.p1, today(), 500_000)
    services.budget_create(actor=mworld.manager, campaign=camp, amount_fen=100_000)
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=today(), spend_fen=200_000
    )
    r = client_as(mworld.member).get(reverse("commerce-campaign", args=[camp.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "10,000.00" in body  # goal
    assert "5,000.00" in body  # attributed: the campaign product's GMV
    assert 'id="roi">2.50<' in body
    assert "overspend-alert" in body and "overspent-badge" in body
    assert 'data-chart="lines"' in body
    assert client_as(mworld.auditor).get(reverse("commerce-campaign", args=[camp.pk])).status_code == 200
    assert client_as(mworld.other).get(reverse("commerce-campaign", args=[camp.pk])).status_code == 403
    assert client_as(mworld.member).get(reverse("commerce-campaign", args=[99999])).status_code == 404


def test_campaign_of_another_department_is_404(mworld):
    ls = services.campaign_create(
        actor=None,
        name="直播部活动",
        starts_on=today(),
        ends_on=today(),
        department=mworld.ls_shop.department,
    )
    assert client_as(mworld.member).get(reverse("commerce-campaign", args=[ls.pk])).status_code == 404
    assert client_as(mworld.auditor).get(reverse("commerce-campaign", args=[ls.pk])).status_code == 200


def test_budgets_page_managers_set_others_cannot(mworld, camp):
    data = {"campaign": camp.pk, "amount": "500.00", "channel": "qianchuan"}
    assert client_as(mworld.member).post(reverse("commerce-budgets"), data).status_code == 403
    assert client_as(mworld.auditor).post(reverse("commerce-budgets"), data).status_code == 403
    page = client_as(mworld.member).get(reverse("commerce-budgets")).content.decode()
    assert 'id="budget-form"' not in page
    r = client_as(mworld.manager).post(reverse("commerce-budgets"), data)
    assert r.status_code == 302
    budget = Budget.objects.get()
    assert budget.amount_fen == 50_000 and budget.period_start == camp.starts_on
    need_period = client_as(mworld.manager).post(reverse("commerce-budgets"), {"amount": "5"})
    assert need_period.status_code == 200 and "choose a campaign" in need_period.content.decode()
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=today(), spend_fen=60_000
    )
    page = client_as(mworld.member).get(reverse("commerce-budgets")).content.decode()
    assert 'id="overspent-alert"' in page and "overspent-badge" in page and "120.00%" in page


def test_budget_edit_page(mworld):
    b = services.budget_create(actor=mworld.manager, amount_fen=100, period_start=today(), period_end=today())
    url = reverse("commerce-budget", args=[b.pk])
    assert client_as(mworld.member).get(url).status_code == 403
    c = client_as(mworld.manager)
    assert c.get(url).status_code == 200
    r = c.post(
        url,
        {
            "amount": "3.00",
            "period_start": today().isoformat(),
            "period_end": today().isoformat(),
            "note": "n",
        },
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.amount_fen == 300
    r = c.post(url, {"delete": "1"})
    assert r.status_code == 302 and not Budget.objects.exists()


def test_ad_spend_entry_and_delete(mworld):
    c = client_as(mworld.member)
    r = c.post(
        reverse("commerce-ad-spend"),
        {
            "form": "entry",
            "shop": mworld.douyin.pk,
            "channel": "zhitongche",
            "day": today().isoformat(),
            "plan_id": "Z1",
            "spend": "99.90",
            "impressions": "100",
            "clicks": "5",
        },
    )
    assert r.status_code == 302
    row = AdSpend.objects.get()
    assert (row.spend_fen, row.clicks, row.entered_by) == (9_990, 5, mworld.member)
    page = c.get(reverse("commerce-ad-spend")).content.decode()
    assert "Z1" in page and "99.90" in page
    # The LS shop is not among the member's choices.
    bad = c.post(
        reverse("commerce-ad-spend"),
        {
            "form": "entry",
            "shop": mworld.ls_shop.pk,
            "channel": "qianchuan",
            "day": today().isoformat(),
            "spend": "1",
        },
    )
    assert bad.status_code == 200 and AdSpend.objects.count() == 1
    assert client_as(mworld.auditor).post(reverse("commerce-ad-spend"), {"form": "entry"}).status_code == 403
    assert (
        client_as(mworld.auditor).post(reverse("commerce-ad-spend-delete", args=[row.pk])).status_code == 403
    )
    assert c.get(reverse("commerce-ad-spend-delete", args=[row.pk])).status_code == 405
    assert c.post(reverse("commerce-ad-spend-delete", args=[row.pk])).status_code == 302
    assert not AdSpend.objects.exists()


def test_ad_spend_upload_starts_an_import_run(mworld, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "qianchuan.csv", f"日期,计划ID,消耗\n{today().isoformat()},Q1,10\n".encode(), content_type="text/csv"
    )
    r = client_as(mworld.member).post(
        reverse("commerce-ad-spend"),
        {"form": "import", "shop": mworld.douyin.pk, "channel": "qianchuan", "file": upload},
    )
    run = ImportRun.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("job-detail", args=[run.pk])
    assert run.kind == "ad-spend" and run.options["shop"] == str(mworld.douyin.pk)
    assert run.options["channel"] == "qianchuan"
    denied = client_as(mworld.auditor).post(reverse("commerce-ad-spend"), {"form": "import"})
    assert denied.status_code == 403


def test_kpi_pages(mworld):
    kpi_services.kpi_defaults_ensure()
    gmv = Kpi.objects.get(code="gmv")
    visitors = Kpi.objects.get(code="visitors")
    first = today().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    target = {
        "form": "target",
        "kpi": gmv.pk,
        "shop": mworld.douyin.pk,
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "target": "5000",
    }
    assert client_as(mworld.member).post(reverse("commerce-kpi-setup"), target).status_code == 403
    assert client_as(mworld.manager).post(reverse("commerce-kpi-setup"), target).status_code == 302
    assert KpiTarget.objects.get().target == 500_000  # typed in CNY, stored in fen
    r = client_as(mworld.manager).post(
        reverse("commerce-kpi-setup"), {"form": "kpi", "code": "fans", "name": "粉丝数", "unit": "count"}
    )
    assert r.status_code == 302 and Kpi.objects.filter(code="fans", metric="").exists()
    r = client_as(mworld.manager).post(reverse("commerce-kpi-setup"), {"form": "toggle", "kpi": visitors.pk})
    visitors.refresh_from_db()
    assert r.status_code == 302 and not visitors.is_active
    kpi_services.kpi_update(actor=mworld.manager, kpi=visitors, data={"is_active": True})
    m = {"kpi": visitors.pk, "shop": mworld.douyin.pk, "day": first.isoformat(), "value": "1500"}
    assert client_as(mworld.auditor).post(reverse("commerce-kpi-measurements"), m).status_code == 403
    assert client_as(mworld.member).post(reverse("commerce-kpi-measurements"), m).status_code == 302
    assert KpiMeasurement.objects.get().value == 1500
    shop_day(mworld.douyin, first, gmv_fen=250_000)
    page = client_as(mworld.member).get(reverse("commerce-kpis")).content.decode()
    assert "¥2,500.00" in page and "¥5,000.00" in page and "50.00%" in page


def test_lifecycle_page_and_recompute(mworld):
    product_day(mworld.douyin, mworld.p1, today(), 2_000_000)
    c = client_as(mworld.member)
    assert client_as(mworld.auditor).post(reverse("commerce-lifecycle")).status_code == 403
    assert c.post(reverse("commerce-lifecycle")).status_code == 302
    assert ProductLifecycle.objects.get().tag == "hit"
    assert AuditEntry.objects.filter(verb="lifecycle_recompute").exists()
    page = c.get(reverse("commerce-lifecycle"), {"tag": "hit"}).content.decode()
    assert "玻尿酸精华" in page
    assert "玻尿酸精华" not in c.get(reverse("commerce-lifecycle"), {"tag": "new"}).content.decode()


def test_product_performance_page_sort_and_csv(mworld):
    mworld.p2.title = '=HYPERLINK("http://x")'
    mworld.p2.save(update_fields=["title"])
    product_day(mworld.douyin, mworld.p1, today(), 10_000, lines=2, refund_lines=1)
    product_day(mworld.douyin, mworld.p2, today(), 30_000, lines=3)
    c = client_as(mworld.member)
    page = c.get(reverse("commerce-product-performance"), {"sort": "-refund_rate"}).content.decode()
    assert page.index("玻尿酸精华") < page.index("HYPERLINK")
    r = c.get(reverse("commerce-product-performance"), {"export": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[1].split(",")[0] == str(mworld.p2.pk)  # GMV descending
    assert "'=HYPERLINK" in text  # formula escaped
    assert "300.00" in lines[1]
    assert AuditEntry.objects.filter(verb="export", object_type="commerce.product_performance").exists()
    assert (
        client_as(mworld.outsider).get(reverse("commerce-product-performance"), {"export": "csv"}).status_code
        == 403
    )
